// Command k8s-control-plane is one multi-call binary holding a real Kubernetes control plane,
// built from the upstream Kubernetes modules (see go.mod): `up` runs embedded etcd and supervises
// kube-apiserver, kube-controller-manager and kube-scheduler as child processes of this same
// binary; invoked as `kubectl` (argv[0] or first argument) it is upstream kubectl. One binary
// means one link of the shared dependency graph, which is what dominates a cold build on 2 cores.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // CronJob time zones, as upstream kube-apiserver

	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"

	_ "k8s.io/client-go/plugin/pkg/client/auth"
)

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if name != "kubectl" {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "usage: k8s-control-plane up|kube-apiserver|kube-controller-manager|kube-scheduler|kubectl ...")
			os.Exit(2)
		}
		name, args = args[0], args[1:]
	}
	// Each upstream command parses os.Args[1:] itself.
	os.Args = append([]string{name}, args...)
	switch name {
	case "up":
		os.Exit(up(args))
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "kubectl":
		logs.GlogSetter(kubectlcmd.GetLogVerbosity(os.Args)) // nolint:errcheck
		if err := cli.RunNoErrOutput(kubectlcmd.NewDefaultKubectlCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", name)
		os.Exit(2)
	}
}
