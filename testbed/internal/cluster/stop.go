package cluster

import (
	"errors"
	"fmt"
	"os"
	"time"

	"archipelago.dev/testbed/internal/layout"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/state"
)

// stopGrace is how long a component gets to exit on SIGTERM before SIGKILL.
const stopGrace = 10 * time.Second

// Stop ends every process of a cluster, in reverse start order, and removes
// its state file. The folder (credentials, data, logs) stays; Remove deletes it.
func Stop(c layout.ClusterDir) error {
	st, err := state.Read(c.State())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
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
