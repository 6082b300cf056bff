// Package proxy is the TCP fault proxy that sits in front of every testbed
// API server. Clients (and the kubeconfig) only ever see the proxy's port, so
// switching its mode makes a healthy cluster look down, hung or slow to them
// while the cluster itself keeps running behind it.
package proxy

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind is a fault mode.
type Kind string

const (
	// Normal forwards bytes as they come.
	Normal Kind = "normal"
	// Stop closes the listening socket and every open connection, so new
	// connections are refused (ECONNREFUSED) until resumed.
	Stop Kind = "stop"
	// Hang accepts connections but forwards nothing in either direction, on
	// new and already open connections alike: clients wait until they time out.
	Hang Kind = "hang"
	// Slow delays every chunk the API server sends back by Latency, so each
	// request/response round trip (TLS handshake included) takes at least
	// Latency longer. Chunks are delayed, not serialized: throughput stays.
	Slow Kind = "slow"
)

// Mode is a fault mode with its parameter.
type Mode struct {
	Kind    Kind          `json:"mode"`
	Latency time.Duration `json:"-"`
}

// modeJSON carries the latency as a Go duration string ("2s").
type modeJSON struct {
	Kind    Kind   `json:"mode"`
	Latency string `json:"latency,omitempty"`
}

func (m Mode) MarshalJSON() ([]byte, error) {
	j := modeJSON{Kind: m.Kind}
	if m.Kind == Slow {
		j.Latency = m.Latency.String()
	}
	return json.Marshal(j)
}

func (m *Mode) UnmarshalJSON(data []byte) error {
	var j modeJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	m.Kind = j.Kind
	m.Latency = 0
	if j.Latency != "" {
		d, err := time.ParseDuration(j.Latency)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		m.Latency = d
	}
	return m.Validate()
}

// Validate rejects unknown kinds and a slow mode without a positive latency.
func (m Mode) Validate() error {
	switch m.Kind {
	case Normal, Stop, Hang:
		return nil
	case Slow:
		if m.Latency <= 0 {
			return fmt.Errorf("slow needs a positive latency, got %v", m.Latency)
		}
		return nil
	default:
		return fmt.Errorf("unknown fault mode %q (normal, stop, hang, slow)", m.Kind)
	}
}

func (m Mode) String() string {
	if m.Kind == Slow {
		return fmt.Sprintf("slow(%v)", m.Latency)
	}
	return string(m.Kind)
}
