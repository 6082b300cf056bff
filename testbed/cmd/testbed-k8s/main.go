// Command testbed-k8s is a multi-call binary holding the real Kubernetes
// components of one testbed cluster: the first argument picks the component and
// the rest are that component's own flags, exactly as its upstream binary takes
// them. One binary instead of five saves link time and disk; each component
// still runs in its own process, so their package-level state never meets.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// components maps a component name to its entry point. Each returns the
// process exit code.
var components = map[string]func(args []string) int{
	"etcd":                    runEtcd,
	"kube-apiserver":          runAPIServer,
	"kube-controller-manager": runControllerManager,
	"kube-scheduler":          runScheduler,
	"kwok":                    runKwok,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	run, ok := components[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "testbed-k8s: unknown component %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	os.Exit(run(os.Args[2:]))
}

func usage() {
	names := make([]string, 0, len(components))
	for name := range components {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: testbed-k8s <%s> [flags]\n", strings.Join(names, "|"))
}
