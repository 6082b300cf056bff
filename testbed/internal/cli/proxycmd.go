package cli

import (
	"context"
	"flag"
	"fmt"

	"archipelago.dev/testbed/internal/proxy"
)

// runProxy runs a cluster's fault proxy in the foreground; `up` starts it as
// a detached process. --cluster-dir only marks the process as the cluster's.
func runProxy(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("_proxy", flag.ContinueOnError)
	listen := fs.String("listen", "", "")
	upstream := fs.String("upstream", "", "")
	control := fs.String("control", "", "")
	_ = fs.String("cluster-dir", "", "")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *listen == "" || *upstream == "" || *control == "" {
		return usagef("_proxy needs --listen, --upstream and --control")
	}
	fmt.Fprintf(e.errOut, "fault proxy %s -> %s, control on %s\n", *listen, *upstream, *control)
	return proxy.Serve(ctx, *listen, *upstream, *control)
}
