package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/proxy"
)

// faultCommand returns the command that sets a cluster's fault proxy to the
// mode named by verb: stop, hang, slow (with --latency) or resume.
func faultCommand(verb string) command {
	return func(ctx context.Context, e env, args []string) error {
		fs := flag.NewFlagSet(verb, flag.ContinueOnError)
		all := fs.Bool("all", false, "")
		var latency time.Duration
		if verb == "slow" {
			fs.DurationVar(&latency, "latency", 0, "")
		}
		rest, err := parse(fs, args)
		if err != nil {
			return err
		}
		mode, err := faultMode(verb, latency)
		if err != nil {
			return err
		}
		targets, err := faultTargets(ctx, e, verb, *all, rest)
		if err != nil {
			return err
		}
		var errs []error
		for _, s := range targets {
			client := proxy.NewClient(fmt.Sprintf("127.0.0.1:%d", s.Ports.Control))
			got, err := client.Set(ctx, mode)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
				continue
			}
			fmt.Fprintf(e.out, "%s: %s\n", s.Name, got)
		}
		return errors.Join(errs...)
	}
}

func faultMode(verb string, latency time.Duration) (proxy.Mode, error) {
	switch verb {
	case "stop":
		return proxy.Mode{Kind: proxy.Stop}, nil
	case "hang":
		return proxy.Mode{Kind: proxy.Hang}, nil
	case "resume":
		return proxy.Mode{Kind: proxy.Normal}, nil
	case "slow":
		if latency <= 0 {
			return proxy.Mode{}, usagef("slow needs --latency with a positive duration, e.g. --latency 2s")
		}
		return proxy.Mode{Kind: proxy.Slow, Latency: latency}, nil
	}
	return proxy.Mode{}, fmt.Errorf("unknown fault %q", verb)
}

// faultTargets resolves the cluster argument: exactly one running cluster, or
// every running cluster with --all.
func faultTargets(ctx context.Context, e env, verb string, all bool, names []string) ([]cluster.Status, error) {
	switch {
	case all && len(names) > 0:
		return nil, usagef("%s takes a cluster name or --all, not both", verb)
	case all:
		targets, err := inspectAll(ctx, e)
		if err == nil && len(targets) == 0 {
			err = fmt.Errorf("no clusters are running")
		}
		return targets, err
	case len(names) != 1:
		return nil, usagef("%s needs one cluster name (e.g. testbed-2) or --all", verb)
	}
	s, err := resolve(ctx, e, names[0])
	if err != nil {
		return nil, err
	}
	return []cluster.Status{s}, nil
}
