package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"k8s.io/client-go/kubernetes"

	"archipelago.dev/testbed/internal/bootstrap"
	"archipelago.dev/testbed/internal/kubeconfig"
	"archipelago.dev/testbed/internal/kwokstages"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/pki"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/state"
)

// Timeouts for each start phase; generous because ten clusters starting at
// once share two cores.
const (
	etcdTimeout      = 60 * time.Second
	apiServerTimeout = 180 * time.Second
	workingTimeout   = 180 * time.Second
)

// Start brings up one cluster and returns once it can run pods. On failure it
// stops whatever it started and returns an error that includes the tail of the
// failing component's log.
func Start(ctx context.Context, c layout.ClusterDir, index int, p ports.Set, bin Binaries) (err error) {
	st := state.Cluster{Name: c.Name, Index: index, Ports: p, PIDs: map[string]int{}}
	defer func() {
		if err != nil {
			_ = Stop(c)
			err = fmt.Errorf("%s: %w", c.Name, err)
		}
	}()
	if err := prepare(c, p); err != nil {
		return err
	}

	specs := components(c, p, bin)
	start := func(comp component) error {
		pid, err := proc.Start(comp.spec)
		if err != nil {
			return err
		}
		st.PIDs[comp.name] = pid
		// Saved after every start so that `down` finds even a half-started cluster.
		return state.Write(c.State(), st)
	}

	// components() lists etcd first and kube-apiserver second; each is
	// waited for before the next needs it.
	if err := start(specs[0]); err != nil {
		return err
	}
	if err := waitPort(ctx, c, st, "etcd", p.EtcdClient, etcdTimeout); err != nil {
		return err
	}
	if err := start(specs[1]); err != nil {
		return err
	}
	cs, err := adminClient(c, p.APIServer)
	if err != nil {
		return err
	}
	if err := waitFor(ctx, c, st, "kube-apiserver", apiServerTimeout, func(ctx context.Context) error {
		return bootstrap.WaitAPIServer(ctx, cs)
	}); err != nil {
		return err
	}
	if err := bootstrap.Apply(ctx, cs); err != nil {
		return err
	}

	// The rest need only the API server; they start together.
	for _, comp := range specs[2:] {
		if err := start(comp); err != nil {
			return err
		}
	}
	if err := waitPort(ctx, c, st, "proxy", p.Proxy, 10*time.Second); err != nil {
		return err
	}
	return waitFor(ctx, c, st, "kube-controller-manager and kwok", workingTimeout, func(ctx context.Context) error {
		return bootstrap.WaitWorking(ctx, cs)
	})
}

// prepare creates the folders, credentials and config files of a cluster.
func prepare(c layout.ClusterDir, p ports.Set) error {
	for _, dir := range []string{c.Dir, c.LogDir(), c.EtcdData()} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	tokens, err := pki.Ensure(c)
	if err != nil {
		return err
	}
	direct := fmt.Sprintf("https://127.0.0.1:%d", p.APIServer)
	for component, token := range map[string]string{
		"kube-controller-manager": tokens.Controller,
		"kube-scheduler":          tokens.Scheduler,
		"kwok":                    tokens.Kwok,
	} {
		if err := kubeconfig.WriteComponent(c.ComponentKubeconfig(component), direct, c.CACert(), token); err != nil {
			return err
		}
	}
	if err := os.WriteFile(c.AuditPolicy(), []byte(auditPolicy()), 0o600); err != nil {
		return err
	}
	stages, err := kwokstages.Config()
	if err != nil {
		return err
	}
	return os.WriteFile(c.KwokConfig(), stages, 0o600)
}

// auditPolicy records every write by a client at Metadata level (who, what
// verb, which object, the request URI with its fieldManager and dryRun, the
// response code) once the response is complete; reads and the control
// plane's own writes are not recorded, so the log stays small.
func auditPolicy() string {
	return fmt.Sprintf(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
  - level: None
    users: [%q, %q, %q, "system:apiserver"]
  - level: None
    userGroups: ["system:nodes", "system:serviceaccounts"]
  - level: Metadata
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
`, pki.ControllerUser, pki.SchedulerUser, pki.KwokUser)
}

// adminClient talks to the API server directly, not through the proxy, so
// orchestration works whatever fault the proxy is set to.
func adminClient(c layout.ClusterDir, apiServerPort int) (kubernetes.Interface, error) {
	cfg, err := bootstrap.AdminConfig(fmt.Sprintf("https://127.0.0.1:%d", apiServerPort), c.CACert(), c.AdminToken())
	if err != nil {
		return nil, err
	}
	return bootstrap.Clientset(cfg)
}

// waitFor runs wait with a deadline, failing early if a started component dies.
func waitFor(ctx context.Context, c layout.ClusterDir, st state.Cluster, what string, timeout time.Duration, wait func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	died := make(chan string, 1)
	go watchDeaths(ctx, c, st, died)
	result := make(chan error, 1)
	go func() { result <- wait(ctx) }()
	select {
	case err := <-result:
		if err != nil {
			return fmt.Errorf("waiting for %s: %w%s", what, err, logTail(c, what))
		}
		return nil
	case name := <-died:
		cancel()
		<-result
		return fmt.Errorf("%s exited during start-up%s", name, logTail(c, name))
	}
}

// watchDeaths reports the first component of st whose process is gone.
func watchDeaths(ctx context.Context, c layout.ClusterDir, st state.Cluster, died chan<- string) {
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			for name, pid := range st.PIDs {
				if !proc.Alive(pid, c.Dir) {
					died <- name
					return
				}
			}
		}
	}
}

// waitPort waits until something accepts TCP connections on port.
func waitPort(ctx context.Context, c layout.ClusterDir, st state.Cluster, what string, port int, timeout time.Duration) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return waitFor(ctx, c, st, what, timeout, func(ctx context.Context) error {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				return conn.Close()
			}
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}
