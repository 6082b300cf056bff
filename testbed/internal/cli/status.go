package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/proc"
	"archipelago.dev/testbed/internal/state"
)

// runStatus prints each cluster's endpoint, ports, processes, fault and health.
// It exits non-zero when no cluster runs or any is unhealthy, so scripts can
// use it as a check.
func runStatus(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	all, err := inspectAll(ctx, e)
	if err != nil {
		return err
	}
	if *asJSON {
		if all == nil {
			all = []cluster.Status{}
		}
		enc := json.NewEncoder(e.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return err
		}
	} else {
		printStatus(e, all)
	}
	if len(all) == 0 {
		return fmt.Errorf("no clusters are running")
	}
	var bad []string
	for _, s := range all {
		if !s.Running() || !s.Ready {
			bad = append(bad, s.Name)
		}
		bad = append(bad, s.AliasesDown()...)
	}
	if len(bad) > 0 {
		return fmt.Errorf("unhealthy: %s", strings.Join(bad, ", "))
	}
	return nil
}

func printStatus(e env, all []cluster.Status) {
	w := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	var total proc.Memory
	fmt.Fprintln(w, "CLUSTER\tSERVER (proxy)\tAPISERVER\tETCD\tFAULT\tREADY\tRSS\tPSS\tPROCESSES")
	for _, s := range all {
		p := s.Ports
		procs := "all running"
		if len(s.Down) > 0 {
			procs = "down: " + strings.Join(s.Down, ",")
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%v\t%s\t%s\t%s %s\n", s.Name, s.Server, p.APIServer, p.EtcdClient,
			s.Fault, s.Ready, mib(s.Memory.RSS), mib(s.Memory.PSS), procs, pidList(s.PIDs))
		total = total.Add(s.Memory)
	}
	_ = w.Flush()
	printAliases(e, all)
	if len(all) > 1 {
		fmt.Fprintf(e.out, "total memory: RSS %s, PSS %s (PSS counts the shared binary once; see README)\n", mib(total.RSS), mib(total.PSS))
	}
	if len(all) > 0 {
		fmt.Fprintf(e.out, "kubeconfig: %s\n", e.layout.Kubeconfig())
	}
}

func mib(bytes uint64) string { return fmt.Sprintf("%dMi", bytes>>20) }

func pidList(pids map[string]int) string {
	var parts []string
	for _, name := range state.Components {
		parts = append(parts, fmt.Sprintf("%s=%d", strings.TrimPrefix(name, "kube-"), pids[name]))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// printAliases lists every name of every cluster when any has aliases, and
// says how many real API servers stand behind them.
func printAliases(e env, all []cluster.Status) {
	names := 0
	for _, s := range all {
		names += len(s.Aliases)
	}
	if names <= len(all) {
		return
	}
	fmt.Fprintln(e.out)
	w := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ALIAS\tREAL CLUSTER\tSERVER (proxy)\tCONTROL\tUSER\tFAULT\tRSS\tPSS\tPROXY")
	var proxies proc.Memory
	for _, s := range all {
		for _, a := range s.Aliases {
			procState := fmt.Sprintf("pid %d", a.PID)
			if a.Down {
				procState = "down"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.Name, s.Name, a.Server, a.Control, a.User, a.Fault,
				mib(a.Memory.RSS), mib(a.Memory.PSS), procState)
			if a.K > 1 {
				proxies = proxies.Add(a.Memory)
			}
		}
	}
	_ = w.Flush()
	fmt.Fprintf(e.out, "%d names on %d real API server(s): aliases of one cluster share its API server, etcd and objects\n", names, len(all))
	fmt.Fprintf(e.out, "alias proxies (beyond each cluster's own): RSS %s, PSS %s, included in the cluster totals above\n",
		mib(proxies.RSS), mib(proxies.PSS))
}
