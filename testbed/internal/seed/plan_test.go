package seed

import (
	"reflect"
	"testing"
)

func countKind(objs []Object, resource string) int {
	n := 0
	for _, o := range objs {
		if o.GVR.Resource == resource {
			n++
		}
	}
	return n
}

func find(objs []Object, resource, namespace, name string) (Object, bool) {
	for _, o := range objs {
		if o.GVR.Resource == resource && o.Obj.GetNamespace() == namespace && o.Obj.GetName() == name {
			return o, true
		}
	}
	return Object{}, false
}

func TestPlanIsDeterministic(t *testing.T) {
	a, b := Plan(7, 3, 2), Plan(7, 3, 2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, scale and cluster gave different plans")
	}
	if reflect.DeepEqual(Plan(7, 3, 2), Plan(8, 3, 2)) {
		t.Fatal("different seeds gave the same plan")
	}
}

func TestScale100Counts(t *testing.T) {
	objs := Plan(1, 100, 1)
	if n := countKind(objs, "configmaps"); n < 2000 {
		t.Errorf("configmaps: %d, want >= 2000", n)
	}
	if n := countKind(objs, "deployments"); n < 500 {
		t.Errorf("deployments: %d, want >= 500", n)
	}
	for _, r := range []string{"secrets", "statefulsets", "daemonsets", "jobs", "cronjobs", "namespaces", "services"} {
		if countKind(objs, r) == 0 {
			t.Errorf("no %s", r)
		}
	}
}

func TestEveryObjectIsMarkedSeeded(t *testing.T) {
	for _, o := range Plan(1, 2, 1) {
		if o.Obj.GetLabels()[SeededLabel] != "true" {
			t.Errorf("%s lacks %s", o, SeededLabel)
		}
	}
}

func TestClustersOverlapButDiffer(t *testing.T) {
	one, two := Plan(1, 10, 1), Plan(1, 10, 2)
	key := func(o Object) string { return o.String() }
	inOne := map[string]Object{}
	for _, o := range one {
		inOne[key(o)] = o
	}
	var shared, onlyTwo, differ int
	for _, o := range two {
		if p, ok := inOne[key(o)]; ok {
			shared++
			if !reflect.DeepEqual(p.Obj.Object, o.Obj.Object) {
				differ++
			}
		} else {
			onlyTwo++
		}
	}
	if shared == 0 || onlyTwo == 0 || differ == 0 {
		t.Fatalf("shared %d, only in cluster 2 %d, same name but different %d: want all > 0", shared, onlyTwo, differ)
	}
}

func TestLandmarks(t *testing.T) {
	for cluster := 1; cluster <= 2; cluster++ {
		objs := Plan(1, 1, cluster)
		cfg, ok := find(objs, "configmaps", "shared", AppConfig)
		if !ok {
			t.Fatal("no shared/app-config")
		}
		data := cfg.Obj.Object["data"].(map[string]any)
		if data["cluster"] != []string{"", "testbed-1", "testbed-2"}[cluster] {
			t.Errorf("app-config cluster = %v", data["cluster"])
		}
		flaky, _ := find(objs, "deployments", "shared", FlakyWorker)
		labels := flaky.Obj.Object["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)["labels"].(map[string]any)
		if _, failing := labels[FailLabel]; failing != (cluster%2 == 0) {
			t.Errorf("cluster %d: flaky-worker failing = %v", cluster, failing)
		}
	}
}
