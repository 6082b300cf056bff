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
// Aliases take base+500 onwards (see ForAlias): 10 clusters with 10 aliases
// each end at base+679; nothing of a testbed reaches base+1000.
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

// MaxClusters is the number of cluster blocks a testbed may use.
const MaxClusters = 99

// Window is the number of ports from the base that a testbed ever uses, with
// or without aliases, so testbeds whose bases are Window apart (one per
// checkout) never collide.
const Window = 1000

// AliasOffset is where the alias range starts above the base: after the
// blocks of 50 clusters. Aliases are for fleets of few real clusters, so the
// two ranges share the window instead of pushing aliases above it.
const AliasOffset = 500

// MaxAliases bounds --aliases: the names one real cluster is reachable under,
// its own name included.
const MaxAliases = 10

// AliasStride is the number of alias ports reserved per cluster: two (proxy
// and control) for each alias after the first, which is the cluster's own
// proxy in its block.
const AliasStride = 2 * (MaxAliases - 1)

// MaxAliasedClusters is the most clusters that can have aliases: their alias
// ports must fit in the window (27 x 10 = 270 names).
const MaxAliasedClusters = (Window - AliasOffset) / AliasStride

// AliasSet is the ports of one alias: its own fault proxy and control endpoint.
type AliasSet struct {
	Proxy   int `json:"proxy"`
	Control int `json:"control"`
}

// ForAlias returns the ports of alias k (2..MaxAliases) of cluster index.
// Aliases live in a range of their own, base + AliasOffset onwards, one
// stride per cluster: testbed-1's aliases first, then testbed-2's. They
// depend on the cluster index only, so adding clusters never moves one.
func ForAlias(base, index, k int) AliasSet {
	first := base + AliasOffset + (index-1)*AliasStride + (k-2)*2
	return AliasSet{Proxy: first, Control: first + 1}
}

// All lists the alias's ports with their role.
func (s AliasSet) All() []Named {
	return []Named{{"alias fault proxy", s.Proxy}, {"alias proxy control", s.Control}}
}

// ValidateBase rejects a base port whose last cluster block or last alias
// port would leave the valid range or reach the ephemeral range.
func ValidateBase(base, clusters, aliases int) error {
	last := base + clusters*BlockSize - 1
	if aliases > 1 {
		if clusters > MaxAliasedClusters {
			return fmt.Errorf("--aliases needs --clusters %d or fewer (their alias ports share the %d-port window with the clusters), got %d", MaxAliasedClusters, Window, clusters)
		}
		last = ForAlias(base, clusters, aliases).Control
	}
	if base < 1024 || last >= 32768 {
		return fmt.Errorf("--base-port %d with %d clusters and %d aliases needs ports %d-%d; choose a base so they stay within 1024-32767", base, clusters, max(aliases, 1), base, last)
	}
	return nil
}

// ErrInUse reports a port that something else already listens on.
var ErrInUse = errors.New("port already in use")

// CheckFree returns an error naming the first port of the set that cannot be
// bound on 127.0.0.1.
func CheckFree(cluster string, s Set) error {
	return CheckNamed(cluster, s.All())
}

// CheckNamed returns an error naming the first of the ports that cannot be
// bound on 127.0.0.1; who names the cluster or alias they belong to.
func CheckNamed(who string, named []Named) error {
	for _, p := range named {
		if err := checkOne(p.Port); err != nil {
			return fmt.Errorf("%s: %s port %d on 127.0.0.1: %w (%v)", who, p.Role, p.Port, ErrInUse, err)
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
