// Package ports allocates each cluster a fixed block of loopback ports and
// checks that they are free before anything starts.
package ports

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// DefaultBase is the first port of cluster 1. Clusters use consecutive blocks
// of BlockSize, so 99 clusters stay below 17500, far from the kernel's
// ephemeral range (32768+) where client sockets would collide with them.
const DefaultBase = 16443

// BlockSize is the number of ports reserved per cluster (a few are spare).
const BlockSize = 10

// Set is the ports of one cluster.
type Set struct {
	Proxy      int `json:"proxy"`     // what clients (and the kubeconfig) use
	APIServer  int `json:"apiserver"` // the real kube-apiserver, for the control plane
	EtcdPeer   int `json:"etcdPeer"`
	EtcdClient int `json:"etcdClient"`
	Control    int `json:"control"` // the fault proxy's control endpoint
}

// ForCluster returns the block of cluster index (1-based) above base.
func ForCluster(base, index int) Set {
	first := base + (index-1)*BlockSize
	return Set{
		Proxy:      first,
		APIServer:  first + 1,
		EtcdClient: first + 2,
		EtcdPeer:   first + 3,
		Control:    first + 4,
	}
}

// All lists the ports with their role, for checks and messages.
func (s Set) All() []Named {
	return []Named{
		{"fault proxy", s.Proxy},
		{"kube-apiserver", s.APIServer},
		{"etcd client", s.EtcdClient},
		{"etcd peer", s.EtcdPeer},
		{"proxy control", s.Control},
	}
}

// Named is a port and what it is for.
type Named struct {
	Role string
	Port int
}

// ValidateBase rejects a base port whose last block would leave the valid range
// or reach the ephemeral range.
func ValidateBase(base, clusters int) error {
	last := base + clusters*BlockSize - 1
	if base < 1024 || last >= 32768 {
		return fmt.Errorf("--base-port %d with %d clusters needs ports %d-%d; choose a base so they stay within 1024-32767", base, clusters, base, last)
	}
	return nil
}

// ErrInUse reports a port that something else already listens on.
var ErrInUse = errors.New("port already in use")

// CheckFree returns an error naming the first port of the set that cannot be
// bound on 127.0.0.1.
func CheckFree(cluster string, s Set) error {
	for _, p := range s.All() {
		if err := checkOne(p.Port); err != nil {
			return fmt.Errorf("%s: %s port %d on 127.0.0.1: %w (%v)", cluster, p.Role, p.Port, ErrInUse, err)
		}
	}
	return nil
}

func checkOne(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}
