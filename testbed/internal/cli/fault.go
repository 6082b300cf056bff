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
		for _, t := range targets {
			client := proxy.NewClient(fmt.Sprintf("127.0.0.1:%d", t.Control))
			got, err := client.Set(ctx, mode)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
				continue
			}
			fmt.Fprintf(e.out, "%s: %s\n", t.Name, got)
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

// faultTargets resolves the name argument: exactly one running cluster or
// alias (a cluster's name is its first alias: only its own proxy), or every
// alias of every running cluster with --all.
func faultTargets(ctx context.Context, e env, verb string, all bool, names []string) ([]cluster.AliasStatus, error) {
	switch {
	case all && len(names) > 0:
		return nil, usagef("%s takes a cluster or alias name or --all, not both", verb)
	case all:
		clusters, err := inspectAll(ctx, e)
		if err == nil && len(clusters) == 0 {
			err = fmt.Errorf("no clusters are running")
		}
		var targets []cluster.AliasStatus
		for _, s := range clusters {
			targets = append(targets, s.Aliases...)
		}
		return targets, err
	case len(names) != 1:
		return nil, usagef("%s needs one cluster or alias name (e.g. testbed-2, testbed-2-a3) or --all", verb)
	}
	a, err := resolveAlias(ctx, e, names[0])
	if err != nil {
		return nil, err
	}
	return []cluster.AliasStatus{a}, nil
}
