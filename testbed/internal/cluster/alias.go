package cluster

import (
	"context"
	"fmt"
	"slices"
	"time"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/pki"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/proxy"
	"archipelago.dev/testbed/internal/state"
)

// An alias is one more name for a running cluster: its own fault proxy
// process (the same `_proxy` the cluster's own endpoint runs), on its own
// ports, forwarding to the same kube-apiserver. It is not a second API
// server: N aliases of one cluster share its etcd, its objects and its
// capacity. Alias 1 is the cluster's own name and proxy.

// MissingAliases returns aliases 2..n of the cluster whose proxy does not run,
// with the ports they are to use, in order. Aliases above n are left alone,
// as `up --clusters` leaves clusters above N.
func MissingAliases(c layout.ClusterDir, st state.Cluster, base, n int) []state.Alias {
	var missing []state.Alias
	for k := 2; k <= n; k++ {
		i := slices.IndexFunc(st.Aliases, func(a state.Alias) bool { return a.K == k })
		if i >= 0 && proc.Alive(st.Aliases[i].PID, c.Dir) {
			continue
		}
		missing = append(missing, state.Alias{
			Name: layout.AliasName(st.Index, k), K: k, Ports: ports.ForAlias(base, st.Index, k),
		})
	}
	return missing
}

// StartAliases starts the proxies of the given aliases of a running cluster,
// records each in the cluster's state file as soon as it runs (so `down`
// finds it even if a later one fails) and waits until each accepts
// connections.
func StartAliases(ctx context.Context, c layout.ClusterDir, aliases []state.Alias, bin Binaries) error {
	for _, a := range aliases {
		// Checked first: a cluster started before aliases existed has no
		// token for them, and its API server reads tokens only at start.
		if _, err := pki.AliasToken(c, a.K); err != nil {
			return err
		}
	}
	for _, a := range aliases {
		st, err := state.Read(c.State())
		if err != nil {
			return err
		}
		pid, err := proc.Start(aliasSpec(c, st.Ports.APIServer, a, bin))
		if err != nil {
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		a.PID = pid
		st.Aliases = slices.DeleteFunc(st.Aliases, func(old state.Alias) bool { return old.K == a.K })
		st.Aliases = append(st.Aliases, a)
		slices.SortFunc(st.Aliases, func(x, y state.Alias) int { return x.K - y.K })
		if err := state.Write(c.State(), st); err != nil {
			return err
		}
		if err := waitPort(ctx, c, state.Cluster{PIDs: map[string]int{a.Name: pid}}, a.Name, a.Ports.Proxy, 10*time.Second); err != nil {
			return fmt.Errorf("%s: %w%s", a.Name, err, logTailOf(c.AliasLog(a.K)))
		}
	}
	return nil
}

// aliasSpec is the process of one alias: the cluster's fault proxy command
// with the alias's own ports in front of the same API server.
func aliasSpec(c layout.ClusterDir, apiServerPort int, a state.Alias, bin Binaries) proc.Spec {
	return proc.Spec{
		Path: bin.CLI,
		Args: []string{"_proxy",
			fmt.Sprintf("--listen=127.0.0.1:%d", a.Ports.Proxy),
			fmt.Sprintf("--upstream=127.0.0.1:%d", apiServerPort),
			fmt.Sprintf("--control=127.0.0.1:%d", a.Ports.Control),
			"--cluster-dir=" + c.Dir,
		},
		LogFile: c.AliasLog(a.K),
	}
}

// AliasStatus is what `status` reports about one alias. Alias 1 (the
// cluster's own name) is listed too, so a consumer finds every name in one list.
type AliasStatus struct {
	Name    string      `json:"name"`    // testbed-N (alias 1) or testbed-N-aK
	K       int         `json:"k"`       // 1..20
	Server  string      `json:"server"`  // the alias's fault proxy
	Context string      `json:"context"` // its admin context in the kubeconfig
	User    string      `json:"user"`    // the user its token authenticates as (audit log)
	Control int         `json:"control"` // its fault proxy's control port
	PID     int         `json:"pid"`
	Down    bool        `json:"down,omitempty"`
	Fault   string      `json:"fault"`
	Memory  proc.Memory `json:"memory"`
}

// inspectAliases reports alias 1 from the cluster's own proxy and every alias
// in the state file from its own process.
func inspectAliases(ctx context.Context, c layout.ClusterDir, st state.Cluster, ownFault string) []AliasStatus {
	out := []AliasStatus{{
		Name: c.Name, K: 1, Server: ServerURL(st.Ports.Proxy), Context: c.Name, User: pki.AliasUser(c.Name, 1),
		Control: st.Ports.Control, PID: st.PIDs["proxy"], Down: !proc.Alive(st.PIDs["proxy"], c.Dir), Fault: ownFault,
		Memory: proc.MemoryOf(st.PIDs["proxy"]),
	}}
	for _, a := range st.Aliases {
		s := AliasStatus{
			Name: a.Name, K: a.K, Server: ServerURL(a.Ports.Proxy), Context: a.Name, User: pki.AliasUser(c.Name, a.K),
			Control: a.Ports.Control, PID: a.PID, Fault: "unknown",
		}
		if !proc.Alive(a.PID, c.Dir) {
			s.Down = true
		} else {
			s.Memory = proc.MemoryOf(a.PID)
			if mode, err := proxy.NewClient(fmt.Sprintf("127.0.0.1:%d", a.Ports.Control)).Get(ctx); err == nil {
				s.Fault = mode.String()
			}
		}
		out = append(out, s)
	}
	return out
}

// stopAliases ends every alias proxy of the cluster.
func stopAliases(c layout.ClusterDir, st state.Cluster) []error {
	var errs []error
	for _, a := range st.Aliases {
		if err := proc.Stop(a.PID, c.Dir, stopGrace); err != nil {
			errs = append(errs, fmt.Errorf("%s: stop alias proxy: %w", a.Name, err))
		}
	}
	return errs
}
