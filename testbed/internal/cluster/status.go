package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"archipelago.dev/testbed/internal/bootstrap"
	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/ports"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/proxy"
	"archipelago.dev/testbed/internal/state"
)

// Status is what `status` reports about one cluster.
type Status struct {
	Name      string         `json:"name"`
	Server    string         `json:"server"` // the URL clients use (the fault proxy)
	Ports     ports.Set      `json:"ports"`
	PIDs      map[string]int `json:"pids"`
	Down      []string       `json:"down,omitempty"` // components whose process is gone
	Fault     string         `json:"fault"`          // the proxy's mode, or "unknown"
	Ready     bool           `json:"ready"`          // kube-apiserver /readyz, asked directly
	ReadyInfo string         `json:"readyInfo,omitempty"`
	Memory    proc.Memory    `json:"memory"` // summed over the cluster's processes, alias proxies included
	// Aliases are every name the cluster answers under, its own first: one
	// real API server behind all of them.
	Aliases []AliasStatus  `json:"aliases"`
	State   *state.Cluster `json:"-"`
}

// AliasesDown names the aliases whose proxy process is gone.
func (s Status) AliasesDown() []string {
	var down []string
	for _, a := range s.Aliases {
		if a.K > 1 && a.Down {
			down = append(down, a.Name)
		}
	}
	return down
}

// Running reports whether every process of the cluster is alive.
func (s Status) Running() bool { return s.State != nil && len(s.Down) == 0 }

// Inspect reads a cluster's state file and checks its processes, its proxy's
// fault mode and its API server. ok is false when the cluster has no state.
func Inspect(ctx context.Context, c layout.ClusterDir) (s Status, ok bool, err error) {
	st, err := state.Read(c.State())
	if errors.Is(err, os.ErrNotExist) {
		return Status{Name: c.Name}, false, nil
	}
	if err != nil {
		return Status{Name: c.Name}, false, err
	}
	s = Status{
		Name:   c.Name,
		Server: ServerURL(st.Ports.Proxy),
		Ports:  st.Ports,
		PIDs:   st.PIDs,
		Fault:  "unknown",
		State:  &st,
	}
	for _, name := range state.Components {
		if !proc.Alive(st.PIDs[name], c.Dir) {
			s.Down = append(s.Down, name)
			continue
		}
		s.Memory = s.Memory.Add(proc.MemoryOf(st.PIDs[name]))
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if mode, err := proxy.NewClient(fmt.Sprintf("127.0.0.1:%d", st.Ports.Control)).Get(ctx); err == nil {
		s.Fault = mode.String()
	}
	s.Aliases = inspectAliases(ctx, c, st, s.Fault)
	for _, a := range s.Aliases[1:] {
		s.Memory = s.Memory.Add(a.Memory)
	}
	if cs, err := adminClient(c, st.Ports.APIServer); err == nil {
		if err := bootstrap.WaitAPIServer(ctx, cs); err == nil {
			s.Ready = true
		} else {
			s.ReadyInfo = err.Error()
		}
	}
	return s, true, nil
}

// ServerURL is the API server URL clients use: the fault proxy's port.
func ServerURL(proxyPort int) string { return fmt.Sprintf("https://127.0.0.1:%d", proxyPort) }
