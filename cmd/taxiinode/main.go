// Command taxiinode runs a taxiinode node and talks to it: a peer-to-peer
// node that shares cyber threat intelligence with trusted organisations
// over TAXII 1.1.
//
// Exit codes: 0 success, 1 failure at run time, 2 bad usage or bad input.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// usageError is a mistake of the person at the keyboard: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newApp().RunContext(ctx, os.Args)
	stop()
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "taxiinode: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func newApp() *cli.App {
	app := &cli.App{
		Name:    "taxiinode",
		Version: version(),
		Usage:   "share threat intelligence with trusted peers over TAXII 1.1",
		Description: "A node stores TAXII content blocks, gossips what it receives to the peers its\n" +
			"operator trusts over libp2p, polls them for what it missed, and serves the TAXII 1.1\n" +
			"HTTP binding to the organisation's own TAXII tools.",

		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		ExitErrHandler: func(*cli.Context, error) {}, // main reports errors itself
		Commands: []*cli.Command{
			initCommand(),
			runCommand(),
			idCommand(),
			statusCommand(),
			peerCommand(),
			collectionCommand(),
			accountCommand(),
			pushCommand(),
			pollCommand(),
			discoverCommand(),
			subscribeCommand(),
			subscriptionCommand(),
			swarmKeyCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(os.Stderr, "taxiinode: unknown command %q; see taxiinode --help\n", name)
			os.Exit(2)
		},
	}
	onUsageError(app.Commands)
	return app
}

// onUsageError makes a flag the parser refuses a one-line usage error (exit
// 2) in every command, instead of an error followed by the whole help.
func onUsageError(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			return usagef("%s: %v (see --help)", cmdName(c), err)
		}
		onUsageError(c.Subcommands)
	}
}

// dirFlag is the data directory flag every command takes.
var dirFlag = &cli.StringFlag{
	Name:    "dir",
	Usage:   "data directory of the node",
	EnvVars: []string{"TAXIINODE_DIR"},
	Value:   defaultDir(),
}

func defaultDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".taxiinode"
	}
	return filepath.Join(home, ".taxiinode")
}

// flagsFirst refuses options written after the arguments, which the
// command line parser would otherwise take as arguments.
func flagsFirst(c *cli.Context) error {
	for _, a := range c.Args().Slice() {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			return usagef("%s: option %s after the arguments; put options first", cmdName(c), a)
		}
	}
	return nil
}

// noArgs refuses positional arguments a command does not take.
func noArgs(c *cli.Context) error {
	if err := flagsFirst(c); err != nil {
		return err
	}
	if c.Args().Present() {
		return usagef("%s: unexpected argument %q", cmdName(c), c.Args().First())
	}
	return nil
}

// required returns the value of a string flag that must be given.
func required(c *cli.Context, name string) (string, error) {
	v := c.String(name)
	if v == "" {
		return "", usagef("%s: --%s is required", cmdName(c), name)
	}
	return v, nil
}

// cmdName names the command being run in messages, such as "peer add".
func cmdName(c *cli.Context) string {
	return strings.TrimPrefix(c.Command.HelpName, c.App.Name+" ")
}

// version is the module version the binary was built from, or "devel".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
