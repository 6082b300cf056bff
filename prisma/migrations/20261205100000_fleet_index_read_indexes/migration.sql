-- CreateIndex
CREATE INDEX "inventory_objects_cluster_id_kind_namespace_name_idx" ON "inventory_objects"("cluster_id", "kind", "namespace", "name");

-- CreateIndex
CREATE INDEX "inventory_objects_deleted_at_idx" ON "inventory_objects"("deleted_at");
