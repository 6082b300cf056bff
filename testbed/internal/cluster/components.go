// Package cluster starts, inspects and stops one testbed cluster: etcd,
// kube-apiserver, the fault proxy, kube-controller-manager, kube-scheduler
// and kwok, each its own detached process.
package cluster

import (
	"fmt"
	"strings"

	"archipelago.dev/testbed/internal/bootstrap"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/proc"
)

// Binaries are the two executables a cluster runs.
type Binaries struct {
	K8s string // testbed-k8s: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
	CLI string // testbed: the fault proxy
}

// ServiceCIDR is the service range of every cluster; clusters are separate
// so they can share it.
const ServiceCIDR = "10.96.0.0/16"

// podCIDR is where kwok takes pod IPs from; a /16 so seeded clusters with
// hundreds of pods do not run out.
const podCIDR = "10.244.0.0/16"

// controllers are the kube-controller-manager controllers the testbed runs:
// those that make workloads behave as in a real cluster (deployments to pods,
// jobs to completion, garbage collection, namespaces, service accounts and
// their tokens, endpoints, quotas, disruption budgets, RBAC aggregation for
// the built-in edit/view roles) and node lifecycle, which lifts the not-ready
// taint that admission puts on every new node. Taint-based eviction, volumes,
// certificates and cloud controllers are left out: kwok fakes the nodes and
// there is no storage.
var controllers = []string{
	"deployment-controller", "replicaset-controller", "statefulset-controller",
	"daemonset-controller", "job-controller", "cronjob-controller",
	"replicationcontroller-controller", "garbage-collector-controller",
	"namespace-controller", "serviceaccount-controller", "serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller", "clusterrole-aggregation-controller",
	"endpoints-controller", "endpointslice-controller", "endpointslice-mirroring-controller",
	"resourcequota-controller", "disruption-controller", "pod-garbage-collector-controller",
	"ttl-after-finished-controller", "node-lifecycle-controller",
}

// component is one process of a cluster.
type component struct {
	name string
	spec proc.Spec
}

func url(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }

// components returns the process specs of a cluster, in start order.
// Every command line contains the cluster folder: proc.Alive relies on that.
func components(c layout.ClusterDir, p ports.Set, bin Binaries) []component {
	k8s := func(name string, args ...string) component {
		return component{name: name, spec: proc.Spec{
			Path:    bin.K8s,
			Args:    append([]string{name}, args...),
			LogFile: c.Log(name),
		}}
	}
	return []component{
		k8s("etcd",
			"--name="+c.Name,
			"--data-dir="+c.EtcdData(),
			"--listen-client-url="+url(p.EtcdClient),
			"--listen-peer-url="+url(p.EtcdPeer),
			"--log-level=warn",
		),
		k8s("kube-apiserver",
			"--etcd-servers="+url(p.EtcdClient),
			"--bind-address=127.0.0.1",
			"--advertise-address=127.0.0.1",
			fmt.Sprintf("--secure-port=%d", p.APIServer),
			"--tls-cert-file="+c.APIServerCert(),
			"--tls-private-key-file="+c.APIServerKey(),
			"--client-ca-file="+c.CACert(),
			"--token-auth-file="+c.TokenFile(),
			"--authorization-mode=RBAC",
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file="+c.SAPub(),
			"--service-account-signing-key-file="+c.SAKey(),
			"--service-cluster-ip-range="+ServiceCIDR,
			"--allow-privileged=true",
			"--profiling=false",
			// Loopback cannot be an Endpoints address, so the lease reconciler
			// would log an error every few seconds trying to publish it.
			"--endpoint-reconciler-type=none",
			"--audit-policy-file="+c.AuditPolicy(),
			"--audit-log-path="+c.AuditLog(),
			"--audit-log-format=json",
			// Written as requests complete, so a test reads what reached the cluster at once.
			"--audit-log-mode=blocking",
			"--audit-log-maxsize=100",
			"--audit-log-maxbackup=1",
		),
		{name: "proxy", spec: proc.Spec{
			Path: bin.CLI,
			Args: []string{"_proxy",
				fmt.Sprintf("--listen=127.0.0.1:%d", p.Proxy),
				fmt.Sprintf("--upstream=127.0.0.1:%d", p.APIServer),
				fmt.Sprintf("--control=127.0.0.1:%d", p.Control),
				"--cluster-dir=" + c.Dir,
			},
			LogFile: c.Log("proxy"),
		}},
		k8s("kube-controller-manager",
			"--kubeconfig="+c.ComponentKubeconfig("kube-controller-manager"),
			"--controllers="+strings.Join(controllers, ","),
			"--service-account-private-key-file="+c.SAKey(),
			"--root-ca-file="+c.CACert(),
			"--cluster-name="+c.Name,
			// kwok renews node leases every 40s; on two busy cores a renewal
			// can be late, and a node marked NotReady would stop scheduling.
			"--node-monitor-grace-period=2m",
			// One controller manager per cluster: no lease writes every 2s.
			"--leader-elect=false",
			// No health/metrics port: one less listener and its authn informers.
			"--secure-port=0",
			"--profiling=false",
			// The default 20 QPS makes a seeded cluster take minutes to
			// settle; flow control in the API server is the real limit.
			"--kube-api-qps=200",
			"--kube-api-burst=400",
		),
		k8s("kube-scheduler",
			"--kubeconfig="+c.ComponentKubeconfig("kube-scheduler"),
			"--leader-elect=false",
			"--secure-port=0",
			"--profiling=false",
			"--kube-api-qps=200",
			"--kube-api-burst=400",
		),
		k8s("kwok",
			"--kubeconfig="+c.ComponentKubeconfig("kwok"),
			"--config="+c.KwokConfig(),
			"--manage-nodes-with-label-selector="+bootstrap.NodeLabel+"="+bootstrap.NodeLabelValue,
			"--node-lease-duration-seconds=40",
			"--cidr="+podCIDR,
			// kwok logs every status patch at INFO: megabytes per seeded cluster.
			"--v=WARN",
		),
	}
}
