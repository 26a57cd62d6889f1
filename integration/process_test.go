package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
)

// binary is the taxiinode command built once for the tests that run real
// node processes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "taxiinode-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "taxiinode")
	build := exec.Command("go", "build", "-o", binary, "../cmd/taxiinode")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build taxiinode:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a node running as its own process.
type proc struct {
	t    *testing.T
	name string
	dir  string
	cmd  *exec.Cmd
	log  *os.File
}

// newProc initializes a data directory on 127.0.0.1 with ephemeral ports
// and lets edit change its settings. It does not start the node.
func newProc(t *testing.T, name string, edit func(*node.Settings)) *proc {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	s, err := node.Init(dir, node.InitOptions{P2PListen: []string{"/ip4/127.0.0.1/tcp/0"},
		HTTPListen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	s.CatchUp.Interval = time.Hour
	if edit != nil {
		edit(s)
	}
	if err := node.SaveSettings(dir, s); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, name: name, dir: dir, log: log}
	t.Cleanup(func() {
		p.kill()
		log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("%s log:\n%s", name, tail(string(out), 40))
		}
	})
	return p
}

func tail(s string, lines int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// start runs the node process and waits until its HTTP binding answers.
func (p *proc) start() {
	p.t.Helper()
	os.Remove(filepath.Join(p.dir, node.AddrFile))
	p.cmd = exec.Command(binary, "run", "--dir", p.dir)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	eventually(p.t, 20*time.Second, func() error {
		c, err := node.NewClient(p.dir)
		if err != nil {
			return err
		}
		_, err = c.Status(context.Background())
		return err
	})
}

// kill ends the process with SIGKILL: no chance to flush or close anything.
func (p *proc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	p.cmd = nil
}

// stop ends the process with SIGTERM and waits for its orderly shutdown.
func (p *proc) stop() {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Errorf("%s exited: %v", p.name, err)
		}
	case <-time.After(20 * time.Second):
		p.t.Errorf("%s did not stop 20 s after SIGTERM", p.name)
		p.kill()
	}
	p.cmd = nil
}

func (p *proc) client() *node.Client {
	p.t.Helper()
	c, err := node.NewClient(p.dir)
	if err != nil {
		p.t.Fatal(err)
	}
	return c
}

// status returns the running node's status.
func (p *proc) status() *node.Status {
	p.t.Helper()
	st, err := p.client().Status(context.Background())
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}
