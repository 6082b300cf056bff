package main

import (
	_ "time/tzdata" // CronJob time zones, as upstream kube-apiserver and kube-controller-manager embed them

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format, as upstream mains register it
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics, as upstream mains register them
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric, as upstream mains register it
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

// The upstream mains are one line each around these constructors; the only
// difference here is that the arguments come after the component name.

func runAPIServer(args []string) int {
	return runCobra(apiserver.NewAPIServerCommand(), args)
}

func runControllerManager(args []string) int {
	return runCobra(controllermanager.NewControllerManagerCommand(), args)
}

func runScheduler(args []string) int {
	return runCobra(scheduler.NewSchedulerCommand(), args)
}

func runCobra(command *cobra.Command, args []string) int {
	command.SetArgs(args)
	return cli.Run(command)
}
