package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"

	"archipelago.dev/testbed/internal/bootstrap"
	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/seed"
)

// seedWorkers is the number of concurrent applies per cluster. More does not
// help on two cores: the API servers are CPU-bound already.
const seedWorkers = 8

// runSeed applies the seed plan to each chosen cluster, all in parallel,
// talking to each API server directly so that a fault set on a cluster's
// proxy does not get in the way of test setup.
func runSeed(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.Int("scale", 1, "")
	seedValue := fs.Uint64("seed", 1, "")
	only := fs.String("clusters", "", "")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if *scale < 1 || *scale > seed.MaxScale {
		return usagef("--scale must be between 1 and %d, got %d", seed.MaxScale, *scale)
	}
	targets, err := seedTargets(ctx, e, *only)
	if err != nil {
		return err
	}

	c := seed.CountsFor(*scale)
	fmt.Fprintf(e.out, "seeding %d cluster(s), scale %d, seed %d: per cluster %d configmaps, %d secrets, %d deployments, "+
		"%d statefulsets, %d daemonsets, %d jobs, %d cronjobs (plus landmarks)\n",
		len(targets), *scale, *seedValue, c.ConfigMaps, c.Secrets, c.Deployments, c.StatefulSets, c.DaemonSets, c.Jobs, c.CronJobs)
	began := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(targets))
	for n, s := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[n] = seedCluster(ctx, e, s, *seedValue, *scale)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "seeded in %.1fs\n", time.Since(began).Seconds())
	return nil
}

func seedCluster(ctx context.Context, e env, s cluster.Status, seedValue uint64, scale int) error {
	c := e.layout.Cluster(s.Name)
	cfg, err := bootstrap.AdminConfig(fmt.Sprintf("https://127.0.0.1:%d", s.Ports.APIServer), c.CACert(), c.AdminToken())
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	objs := seed.Plan(seedValue, scale, s.State.Index)
	began := time.Now()
	if err := seed.Apply(ctx, client, objs, seedWorkers); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	fmt.Fprintf(e.out, "%s: %d objects applied in %.1fs\n", s.Name, len(objs), time.Since(began).Seconds())
	return nil
}

// seedTargets resolves --clusters (comma-separated) or, when empty, every
// running cluster.
func seedTargets(ctx context.Context, e env, only string) ([]cluster.Status, error) {
	if only == "" {
		all, err := inspectAll(ctx, e)
		if err == nil && len(all) == 0 {
			err = errors.New("no clusters are running; run: npm run testbed -- up")
		}
		return all, err
	}
	var out []cluster.Status
	for _, name := range strings.Split(only, ",") {
		s, err := resolve(ctx, e, strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
