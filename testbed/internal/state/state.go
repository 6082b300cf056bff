// Package state records what the orchestrator started for one cluster, so that
// later invocations (status, faults, down, a repeated up) find it again.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"archipelago.dev/testbed/internal/ports"
)

// Components in start order; they are stopped in reverse.
var Components = []string{"etcd", "kube-apiserver", "proxy", "kube-controller-manager", "kube-scheduler", "kwok"}

// Cluster is the state file of one cluster.
type Cluster struct {
	Name  string         `json:"name"`
	Index int            `json:"index"`
	Ports ports.Set      `json:"ports"`
	PIDs  map[string]int `json:"pids"`
	// Aliases are the extra names the cluster is reachable under (alias 2
	// onwards; alias 1 is the cluster's own proxy), each its own proxy process.
	Aliases []Alias `json:"aliases,omitempty"`
}

// Alias is one extra endpoint of a cluster: its own fault proxy in front of
// the same API server.
type Alias struct {
	Name  string         `json:"name"` // testbed-N-aK
	K     int            `json:"k"`    // 2..ports.MaxAliases
	Ports ports.AliasSet `json:"ports"`
	PID   int            `json:"pid"`
}

// Read loads a state file; a missing file is reported with os.ErrNotExist.
func Read(path string) (Cluster, error) {
	var c Cluster
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Write saves a state file atomically, so a reader never sees half of it.
func Write(path string, c Cluster) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Remove deletes a state file; a missing one is fine.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
