// Package kwokstages builds the kwok configuration of a testbed cluster: kwok's
// own "fast" node and pod stages, with one change, plus a stage that makes
// marked pods fail on purpose.
package kwokstages

import (
	_ "embed"
	"fmt"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	"sigs.k8s.io/yaml"
)

// FailLabel marks a pod (through its template) that must never become Ready.
const FailLabel = "testbed.archipelago.dev/fail"

// FailImageSubstring marks the same through the image name, for workloads
// whose labels a test cannot choose.
const FailImageSubstring = "fail"

// failExpression is true for a pod marked to fail, by label or by image.
var failExpression = fmt.Sprintf(
	`(.metadata.labels[%q] == "true") or ([.spec.containers[]?.image | contains(%q)] | any)`,
	FailLabel, FailImageSubstring)

//go:embed pod-fail.yaml
var podFail string

// Config returns the multi-document YAML given to kwok with --config.
func Config() ([]byte, error) {
	var docs []string
	// Nodes: become Ready at once, then keep a lease (as kwokctl runs kwok).
	docs = append(docs, nodefast.DefaultNodeInit, nodeheartbeat.DefaultNodeHeartbeatWithLease)

	// Pods: kwok's ready and complete stages, except for pods marked to fail.
	for _, raw := range []string{podfast.DefaultPodReady, podfast.DefaultPodComplete} {
		doc, err := withSelector(raw, "NotIn")
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	fail, err := withSelector(podFail, "In")
	if err != nil {
		return nil, err
	}
	docs = append(docs, fail, podfast.DefaultPodDelete)

	for i := range docs {
		docs[i] = strings.TrimSpace(docs[i])
	}
	return []byte(strings.Join(docs, "\n---\n") + "\n"), nil
}

// withSelector adds "failExpression <op> [true]" to a stage's selector.
func withSelector(raw, op string) (string, error) {
	var stage v1alpha1.Stage
	if err := yaml.UnmarshalStrict([]byte(raw), &stage); err != nil {
		return "", fmt.Errorf("parse kwok stage: %w", err)
	}
	if stage.Spec.Selector == nil {
		stage.Spec.Selector = &v1alpha1.StageSelector{}
	}
	stage.Spec.Selector.MatchExpressions = append(stage.Spec.Selector.MatchExpressions, v1alpha1.MatchExpression{
		JQ: &v1alpha1.SelectorJQ{Key: failExpression, Operator: v1alpha1.SelectorOperator(op), Values: []string{"true"}},
	})
	out, err := yaml.Marshal(stage)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
