package main

import (
	"os"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kwok/pkg/config"
	kwokcmd "sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"
)

// runKwok mirrors sigs.k8s.io/kwok/cmd/kwok's main: global flags (logging,
// --config) are parsed first, then the kwok command runs.
func runKwok(args []string) int {
	// config.InitFlags and log.InitFlags read os.Args themselves.
	os.Args = append([]string{"kwok"}, args...)

	flagset := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flagset.ParseErrorsAllowlist.UnknownFlags = true
	flagset.Usage = func() {}

	ctx := signals.SetupSignalContext()
	ctx, logger := log.InitFlags(ctx, flagset)
	ctx, err := config.InitFlags(ctx, flagset)
	if err != nil {
		_, _ = os.Stderr.WriteString(flagset.FlagUsages())
		logger.Error("Init config flags", "err", err)
		return 1
	}

	command := kwokcmd.NewCommand(ctx)
	// Kubernetes' packages in this binary register a global --version flag
	// of their own type; cobra's version handling expects a bool and would
	// fail every run, so kwok's --version is turned off here.
	command.Version = ""
	command.PersistentFlags().AddFlagSet(flagset)
	command.SetArgs(args)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("Execute exit", "err", err)
		return 1
	}
	return 0
}
