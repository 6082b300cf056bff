-- AlterEnum
ALTER TYPE "AuditResult" ADD VALUE 'started';

-- CreateIndex
CREATE INDEX "audit_events_request_id_idx" ON "audit_events"("request_id");
