package bootstrap

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"archipelago.dev/testbed/internal/kubeconfig"
	"archipelago.dev/testbed/internal/pki"
)

// NodeCount is the number of simulated nodes per cluster.
const NodeCount = 3

// NodeLabel selects the nodes kwok manages.
const NodeLabel = "type"

// NodeLabelValue is NodeLabel's value on every simulated node.
const NodeLabelValue = "kwok"

// bootstrapLabel marks objects the testbed creates for itself, as opposed
// to seeded data.
const bootstrapLabel = "testbed.archipelago.dev/bootstrap"

// Apply creates the simulated nodes, the team-a namespace and the scoped
// user's RoleBinding. Objects that exist are left as they are, so running it
// again on a restarted cluster is harmless.
func Apply(ctx context.Context, cs kubernetes.Interface) error {
	// Nodes report the API server's version as their kubelet version, as in
	// a cluster whose nodes run the same release.
	version, err := cs.Discovery().ServerVersion()
	if err != nil {
		return fmt.Errorf("server version: %w", err)
	}
	for i := 1; i <= NodeCount; i++ {
		if err := createIfMissing(ctx, "node", func() error {
			_, err := cs.CoreV1().Nodes().Create(ctx, node(i, version.GitVersion), metav1.CreateOptions{})
			return err
		}); err != nil {
			return err
		}
	}
	if err := createIfMissing(ctx, "namespace "+kubeconfig.ScopedNamespace, func() error {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name: kubeconfig.ScopedNamespace, Labels: map[string]string{bootstrapLabel: "true"},
		}}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	return createIfMissing(ctx, "rolebinding", func() error {
		_, err := cs.RbacV1().RoleBindings(kubeconfig.ScopedNamespace).Create(ctx, scopedBinding(), metav1.CreateOptions{})
		return err
	})
}

func createIfMissing(ctx context.Context, what string, create func() error) error {
	if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s: %w", what, err)
	}
	return ctx.Err()
}

// scopedBinding gives the scoped user the built-in "edit" ClusterRole (read and
// write of workloads, configmaps and secrets; no RBAC) in team-a only.
func scopedBinding() *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "testbed-scoped-edit", Labels: map[string]string{bootstrapLabel: "true"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: pki.ScopedUser}},
	}
}

// node is a simulated node. It is untainted so DaemonSets and plain pods land
// on it, and sized so hundreds of pods fit: pods without requests are limited
// only by the pod count.
func node(i int, kubeletVersion string) *corev1.Node {
	name := fmt.Sprintf("kwok-node-%d", i)
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("500"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				NodeLabel:                        NodeLabelValue,
				"kubernetes.io/hostname":         name,
				"kubernetes.io/os":               "linux",
				"kubernetes.io/arch":             "amd64",
				"node-role.kubernetes.io/worker": "",
				bootstrapLabel:                   "true",
			},
			Annotations: map[string]string{
				// kwok's own marker for nodes it fakes.
				"kwok.x-k8s.io/node": "fake",
			},
		},
		Status: corev1.NodeStatus{
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.0.0.%d", i)},
				{Type: corev1.NodeHostName, Address: name},
			},
			Capacity:    capacity,
			Allocatable: capacity,
			NodeInfo: corev1.NodeSystemInfo{
				Architecture:    "amd64",
				OperatingSystem: "linux",
				KubeletVersion:  kubeletVersion,
			},
		},
	}
}
