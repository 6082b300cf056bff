package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"

	"archipelago.dev/testbed/internal/cluster"
	"archipelago.dev/testbed/internal/layout"
)

// runDown stops all clusters, or the one named, and deletes their folders so
// the next `up` starts from empty clusters. Named an alias, or with
// --only-aliases, it stops alias proxies and leaves the clusters running.
func runDown(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	onlyAliases := fs.Bool("only-aliases", false, "")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 || (*onlyAliases && len(rest) > 0) {
		return usagef("down takes at most one cluster or alias name, or --only-aliases")
	}
	unlock, err := lock(e)
	if err != nil {
		return err
	}
	defer unlock()

	if len(rest) == 1 {
		if _, k, err := layout.ParseAlias(rest[0]); err == nil && k > 1 {
			return downAliases(ctx, e, rest[0])
		}
	}
	if *onlyAliases {
		return downAliases(ctx, e, "")
	}

	var targets []int
	if len(rest) == 1 {
		if _, err := resolve(ctx, e, rest[0]); err != nil {
			return err
		}
		i, _ := layout.ClusterIndex(rest[0])
		targets = []int{i}
	} else if targets, err = known(e); err != nil {
		return err
	}

	// Clusters are independent, so they stop in parallel: down of ten
	// clusters takes as long as the slowest one.
	var wg sync.WaitGroup
	errs := make([]error, len(targets))
	for n, i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.layout.Cluster(layout.ClusterName(i))
			if errs[n] = cluster.Remove(c); errs[n] == nil {
				fmt.Fprintf(e.out, "%s stopped\n", c.Name)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := writeKubeconfig(e); err != nil {
		return err
	}
	if len(rest) == 0 {
		if err := os.Remove(e.layout.Settings()); err != nil && !os.IsNotExist(err) {
			return err
		}
		if len(targets) == 0 {
			fmt.Fprintln(e.out, "no clusters were running")
		}
	}
	return nil
}

// downAliases stops the alias proxy named (or every alias proxy when name is
// empty) and rewrites the kubeconfig without it; the clusters keep running.
func downAliases(ctx context.Context, e env, name string) error {
	var targets []cluster.AliasStatus
	var clusters []string
	if name != "" {
		a, err := resolveAlias(ctx, e, name)
		if err != nil {
			return err
		}
		i, _, _ := layout.ParseAlias(name)
		targets, clusters = []cluster.AliasStatus{a}, []string{layout.ClusterName(i)}
	} else {
		all, err := inspectAll(ctx, e)
		if err != nil {
			return err
		}
		for _, s := range all {
			for _, a := range s.Aliases[1:] {
				targets = append(targets, a)
				clusters = append(clusters, s.Name)
			}
		}
	}
	var errs []error
	for n, a := range targets {
		if err := cluster.StopAliases(e.layout.Cluster(clusters[n]), []int{a.K}); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(e.out, "%s stopped (%s keeps running)\n", a.Name, clusters[n])
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(targets) == 0 {
		fmt.Fprintln(e.out, "no aliases were running")
	}
	return writeKubeconfig(e)
}
