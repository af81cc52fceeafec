package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// Admission plugins the Hodei provider meets in a real cluster; the rest of the upstream default
// set stays on as well (this flag only adds to it).
const admission = "NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,Priority," +
	"DefaultTolerationSeconds,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook"

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEtcd(dir string) (*embed.Etcd, string, error) {
	cp, err := freePort()
	if err != nil {
		return nil, "", err
	}
	pp, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Name = "hodei"
	cfg.Dir = filepath.Join(dir, "etcd")
	client, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", cp))
	peer, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", pp))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{filepath.Join(dir, "etcd.log")}
	cfg.UnsafeNoFsync = true // a throw-away test store: durability buys nothing
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, client.String(), nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, "", fmt.Errorf("etcd not ready after 60s")
	}
}

func kubeconfig(server, caFile, user, token string) ([]byte, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: hodei
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: hodei
  context: {cluster: hodei, user: %s}
current-context: hodei
`, server, base64.StdEncoding.EncodeToString(ca), user, token, user)), nil
}

// proc is a running component; exited closes when it has exited, err then holds why.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// child starts this same binary as one control-plane component, its output in DIR/NAME.log.
func child(dir, name string, args ...string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	// A supervisor killed with SIGKILL must not leave components behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); log.Close(); close(p.exited) }()
	return p, nil
}

func waitReady(ctx context.Context, server, token string) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // readiness only; clients verify the CA
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func up(args []string) int {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	dir := fs.String("dir", "", "state directory (certificates, etcd data, kubeconfigs, logs)")
	port := fs.Int("port", 0, "kube-apiserver secure port (0: a free one)")
	_ = fs.Parse(args)
	if err := run(*dir, *port); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-control-plane:", err)
		return 1
	}
	return 0
}

func run(dir string, port int) error {
	if dir == "" {
		return fmt.Errorf("--dir is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	started := time.Now()
	p, err := makePKI(dir)
	if err != nil {
		return err
	}
	tok := make([]byte, 24)
	_, _ = rand.Read(tok)
	adminToken := hex.EncodeToString(tok)
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(adminToken+`,admin,admin,"system:masters"`+"\n"), 0o600); err != nil {
		return err
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	admin := filepath.Join(dir, "admin.kubeconfig")
	cfg, err := kubeconfig(server, p.CAFile, "admin", adminToken)
	if err != nil {
		return err
	}
	if err := os.WriteFile(admin, cfg, 0o600); err != nil {
		return err
	}

	etcd, etcdURL, err := startEtcd(dir)
	if err != nil {
		return err
	}
	defer etcd.Close()

	api, err := child(dir, "kube-apiserver",
		"--etcd-servers="+etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port), "--cert-dir="+filepath.Join(dir, "certs"),
		"--tls-cert-file="+p.CertFile, "--tls-private-key-file="+p.KeyFile,
		"--token-auth-file="+tokens, "--authorization-mode=RBAC",
		"--enable-admission-plugins="+admission,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+p.SAPubFile, "--service-account-signing-key-file="+p.SAKeyFile,
		"--service-cluster-ip-range=10.0.0.0/24", "--kubelet-preferred-address-types=InternalIP",
		"--kubelet-certificate-authority="+p.CAFile,
		// The "kubernetes" Service endpoint reconciler refuses a loopback advertise address.
		"--endpoint-reconciler-type=none",
		"--profiling=false", "--event-ttl=1h", "--v=1")
	if err != nil {
		return err
	}
	stops := []*proc{api}
	defer func() {
		// Stop in reverse order, each with SIGTERM, then give up on it after 20 s.
		for i := len(stops) - 1; i >= 0; i-- {
			stop(stops[i])
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	readyErr := make(chan error, 1)
	go func() { readyErr <- waitReady(ctx, server, adminToken) }()
	select {
	case err := <-readyErr:
		if err != nil {
			return err
		}
	case <-api.exited:
		return fmt.Errorf("kube-apiserver exited before ready (%v); see %s", api.err, filepath.Join(dir, "kube-apiserver.log"))
	}
	cm, err := child(dir, "kube-controller-manager", "--kubeconfig="+admin,
		"--authentication-kubeconfig="+admin, "--authorization-kubeconfig="+admin,
		"--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false",
		"--service-account-private-key-file="+p.SAKeyFile, "--root-ca-file="+p.CAFile,
		"--use-service-account-credentials=false",
		"--profiling=false", "--v=1")
	if err != nil {
		return err
	}
	stops = append(stops, cm)
	sch, err := child(dir, "kube-scheduler", "--kubeconfig="+admin,
		"--authentication-kubeconfig="+admin, "--authorization-kubeconfig="+admin,
		"--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false", "--profiling=false", "--v=1")
	if err != nil {
		return err
	}
	stops = append(stops, sch)

	ready, _ := json.Marshal(map[string]any{
		"ready": true, "server": server, "kubeconfig": admin, "ca": p.CAFile,
		"servingCert": p.CertFile, "servingKey": p.KeyFile, "dir": dir,
		"startMs": time.Since(started).Milliseconds(),
	})
	fmt.Println(string(ready))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		return nil
	case <-api.exited:
		return fmt.Errorf("kube-apiserver exited: %v", api.err)
	}
}

func stop(p *proc) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
