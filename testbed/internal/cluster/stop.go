package cluster

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/state"
)

// stopGrace is how long a component gets to exit on SIGTERM before SIGKILL.
const stopGrace = 10 * time.Second

// Stop ends every process of a cluster (alias proxies first, then the
// components in reverse start order) and removes its state file. The folder (credentials, data, logs) stays; Remove deletes it.
func Stop(c layout.ClusterDir) error {
	st, err := state.Read(c.State())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// The alias proxies go first: they are clients' doors, like the cluster's own proxy.
	errs := stopAliases(c, st)
	for i := len(state.Components) - 1; i >= 0; i-- {
		name := state.Components[i]
		if pid, ok := st.PIDs[name]; ok {
			if err := proc.Stop(pid, c.Dir, stopGrace); err != nil {
				errs = append(errs, fmt.Errorf("%s: stop %s: %w", c.Name, name, err))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return state.Remove(c.State())
}

// Remove stops a cluster and deletes its folder, so the next start is fresh.
func Remove(c layout.ClusterDir) error {
	if err := Stop(c); err != nil {
		return err
	}
	return os.RemoveAll(c.Dir)
}

// StopAliases ends the proxies of the given aliases (by number) of a cluster
// and drops them from its state file; used to undo a failed `up`.
func StopAliases(c layout.ClusterDir, ks []int) error {
	st, err := state.Read(c.State())
	if err != nil {
		return err
	}
	var stop, keep []state.Alias
	for _, a := range st.Aliases {
		if slices.Contains(ks, a.K) {
			stop = append(stop, a)
		} else {
			keep = append(keep, a)
		}
	}
	st.Aliases = stop
	if errs := stopAliases(c, st); len(errs) > 0 {
		return errors.Join(errs...)
	}
	st.Aliases = keep
	return state.Write(c.State(), st)
}
