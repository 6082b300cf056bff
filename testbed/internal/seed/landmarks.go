package seed

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Landmarks are a few named objects that tests and demos can rely on at any
// scale. Their names are part of the testbed's contract (see README).
const (
	// AppConfig is configmap shared/app-config: in every cluster, with a
	// per-cluster value under "cluster" and "region".
	AppConfig = "app-config"
	// BrokenAPI is deployment shared/broken-api: never available anywhere.
	BrokenAPI = "broken-api"
	// FlakyWorker is deployment shared/flaky-worker: available in odd
	// clusters, never available in even ones.
	FlakyWorker = "flaky-worker"
	// StuckMigration is job shared/stuck-migration: never completes.
	StuckMigration = "stuck-migration"
)

func landmark(name, namespace string) item {
	return item{name: name, namespace: namespace, app: name, team: "platform", tier: "backend", env: "prod"}
}

func (b builder) landmarks() []Object {
	regions := []string{"eu-west", "us-east", "ap-south"}
	cfg := landmark(AppConfig, "shared")
	return []Object{
		toObject(gvrConfigMap, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: meta(cfg),
			Data: map[string]string{
				"cluster":   b.clusterName(),
				"region":    regions[(b.cluster-1)%len(regions)],
				"log-level": "info",
			},
		}),
		b.deploymentOf(landmark(BrokenAPI, "shared"), 2, "registry.local/platform/broken-api:1.0", true),
		b.deploymentOf(landmark(FlakyWorker, "shared"), 1, "registry.local/platform/flaky-worker:1.0", b.cluster%2 == 0),
		b.job(landmark(StuckMigration, "shared"), true),
	}
}

// featureObjects are the contents of a feature namespace, which only some
// clusters have.
func (b builder) featureObjects(ns string) []Object {
	cfg := landmark("feature-config", ns)
	svc := landmark("feature-svc", ns)
	return []Object{
		toObject(gvrConfigMap, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: meta(cfg),
			Data:       map[string]string{"feature": ns, "enabled": "true"},
		}),
		b.deploymentOf(svc, 1, fmt.Sprintf("registry.local/platform/%s:0.1", ns), false),
	}
}
