package bootstrap

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// poll calls check every interval until it returns true, an error, or ctx
// ends; on timeout the last reason check gave is reported.
func poll(ctx context.Context, what string, interval time.Duration, check func() (bool, string)) error {
	var reason string
	for {
		var ok bool
		ok, reason = check()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last: %s)", what, ctx.Err(), reason)
		case <-time.After(interval):
		}
	}
}

// WaitAPIServer waits until /readyz answers ok.
func WaitAPIServer(ctx context.Context, cs kubernetes.Interface) error {
	return poll(ctx, "kube-apiserver /readyz", 200*time.Millisecond, func() (bool, string) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").Timeout(2 * time.Second).DoRaw(ctx)
		if err != nil {
			return false, err.Error()
		}
		return string(body) == "ok", string(body)
	})
}

// WaitWorking waits until the cluster can run pods: every simulated node is
// Ready (kwok works) and untainted (the node lifecycle controller works), and the default namespace has its service account (the
// controller manager works; pods cannot be created without it).
func WaitWorking(ctx context.Context, cs kubernetes.Interface) error {
	return poll(ctx, "nodes Ready and controllers running", 250*time.Millisecond, func() (bool, string) {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: NodeLabel + "=" + NodeLabelValue})
		if err != nil {
			return false, err.Error()
		}
		ready := 0
		for _, n := range nodes.Items {
			if schedulable(n) {
				ready++
			}
		}
		if ready < NodeCount {
			return false, fmt.Sprintf("%d/%d nodes Ready and untainted", ready, NodeCount)
		}
		if _, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err != nil {
			return false, "default service account: " + err.Error()
		}
		return true, ""
	})
}

// schedulable is true for a Ready node without the not-ready taint that
// admission adds at creation and the node lifecycle controller lifts.
func schedulable(n corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady {
			return false
		}
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
