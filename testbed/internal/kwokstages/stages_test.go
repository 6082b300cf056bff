package kwokstages

import (
	"context"
	"strings"
	"testing"

	"sigs.k8s.io/kwok/pkg/utils/expression"
)

func TestConfigHasEveryStage(t *testing.T) {
	cfg, err := Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"node-initialize", "node-heartbeat-with-lease", "pod-ready", "pod-complete", "testbed-pod-fail", "pod-delete"} {
		if !strings.Contains(string(cfg), "name: "+name+"\n") {
			t.Errorf("stage %s missing", name)
		}
	}
}

func TestFailExpression(t *testing.T) {
	q, err := expression.NewQuery(failExpression)
	if err != nil {
		t.Fatal(err)
	}
	pod := func(labels map[string]any, images ...string) map[string]any {
		var containers []any
		for _, img := range images {
			containers = append(containers, map[string]any{"image": img})
		}
		return map[string]any{
			"metadata": map[string]any{"labels": labels},
			"spec":     map[string]any{"containers": containers},
		}
	}
	cases := []struct {
		name string
		pod  map[string]any
		want bool
	}{
		{"plain", pod(nil, "nginx:1.27"), false},
		{"other label", pod(map[string]any{"app": "x"}, "nginx"), false},
		{"fail label", pod(map[string]any{FailLabel: "true"}, "nginx"), true},
		{"fail label false", pod(map[string]any{FailLabel: "false"}, "nginx"), false},
		{"fail image", pod(nil, "nginx", "registry.local/fail-on-start:1"), true},
	}
	for _, c := range cases {
		out, err := q.Execute(context.Background(), c.pod)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(out) != 1 || out[0] != c.want {
			t.Errorf("%s: got %v, want %v", c.name, out, c.want)
		}
	}
}
