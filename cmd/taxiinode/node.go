package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	ma "github.com/multiformats/go-multiaddr"
	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create a data directory: key, configuration, store and the collection 'default'",
		Flags: []cli.Flag{
			dirFlag,
			&cli.StringSliceFlag{Name: "p2p-listen", Usage: "libp2p listen multiaddr (repeatable)"},
			&cli.StringFlag{Name: "http-listen", Usage: "HOST:PORT of the TAXII HTTP binding"},
			pskFlag,
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			s, err := node.Init(c.String("dir"), initOptions(c))
			if errors.Is(err, node.ErrInitialized) {
				return usageError{err}
			}
			if err != nil {
				return badSettings(err)
			}
			id, err := node.PeerID(c.String("dir"))
			if err != nil {
				return err
			}
			fmt.Printf("initialized %s\npeer ID %s\nTAXII HTTP binding on %s\n", c.String("dir"), id, s.HTTP.Listen)
			return nil
		},
	}
}

// pskFlag names a pre-shared key file: only nodes holding the same key can
// connect; libp2p then runs over TCP only.
var pskFlag = &cli.StringFlag{Name: "psk", Usage: "pre-shared key file of a private network (see swarm-key)"}

func initOptions(c *cli.Context) node.InitOptions {
	return node.InitOptions{P2PListen: c.StringSlice("p2p-listen"), HTTPListen: c.String("http-listen"),
		PSKFile: c.String("psk")}
}

func swarmKeyCommand() *cli.Command {
	return &cli.Command{
		Name:  "swarm-key",
		Usage: "print a new pre-shared key for a private network (give the file to every node's --psk)",
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			key, err := node.NewSwarmKey()
			if err != nil {
				return err
			}
			fmt.Print(key)
			return nil
		},
	}
}

// badSettings marks errors of settings given on the command line as usage
// errors.
func badSettings(err error) error {
	if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrExist) {
		return err
	}
	return usageError{err}
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run the node until interrupted (initializes an empty data directory first)",
		Flags: []cli.Flag{
			dirFlag,
			&cli.StringSliceFlag{Name: "p2p-listen", Usage: "libp2p listen multiaddr when initializing"},
			&cli.StringFlag{Name: "http-listen", Usage: "HOST:PORT of the HTTP binding when initializing"},
			pskFlag,
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			dir := c.String("dir")
			if !node.Initialized(dir) {
				if _, err := node.Init(dir, initOptions(c)); err != nil {
					return badSettings(err)
				}
				fmt.Fprintf(os.Stderr, "taxiinode: initialized %s\n", dir)
			}
			n, err := node.New(node.Config{Dir: dir, PSKFile: c.String("psk")})
			if err != nil {
				return settingsError(err)
			}
			return n.Run(c.Context)
		},
	}
}

func idCommand() *cli.Command {
	return &cli.Command{
		Name:  "id",
		Usage: "print the peer ID, then one dialable multiaddr per line",
		Flags: []cli.Flag{dirFlag},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			dir := c.String("dir")
			if _, err := node.LoadSettings(dir); err != nil {
				return settingsError(err)
			}
			id, err := node.PeerID(dir)
			if err != nil {
				return err
			}
			fmt.Println(id)
			addrs, err := dialableAddrs(c, dir, id.String())
			if err != nil {
				return err
			}
			for _, a := range addrs {
				fmt.Println(a)
			}
			return nil
		},
	}
}

// dialableAddrs returns the running node's addresses, or, when it is not
// running, the configured listen addresses with unspecified IPs expanded to
// this machine's interface addresses.
func dialableAddrs(c *cli.Context, dir, id string) ([]string, error) {
	if cl, err := node.NewClient(dir); err == nil {
		if st, err := cl.Status(c.Context); err == nil {
			return st.Addrs, nil
		}
	}
	s, err := node.LoadSettings(dir)
	if err != nil {
		return nil, settingsError(err)
	}
	var out []string
	for _, l := range s.P2P.Listen {
		for _, a := range expand(l) {
			out = append(out, a+"/p2p/"+id)
		}
	}
	return out, nil
}

// expand replaces an unspecified IPv4 address by each interface address.
func expand(listen string) []string {
	m, err := ma.NewMultiaddr(listen)
	if err != nil {
		return nil
	}
	ip, err := m.ValueForProtocol(ma.P_IP4)
	if err != nil || ip != "0.0.0.0" {
		return []string{listen}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{strings.Replace(listen, "0.0.0.0", "127.0.0.1", 1)}
	}
	var out []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			out = append(out, strings.Replace(listen, "/0.0.0.0/", "/"+n.IP.String()+"/", 1))
		}
	}
	return out
}

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the running node's peers and collections",
		Flags: []cli.Flag{dirFlag, jsonFlag},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			cl, err := node.NewClient(c.String("dir"))
			if err != nil {
				return settingsError(err)
			}
			st, err := cl.Status(c.Context)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return printJSON(st)
			}
			if st.ConfigError != "" {
				fmt.Printf("WARNING: config.yaml is not applied, the node runs on the last good one: %s\n",
					st.ConfigError)
			}
			fmt.Printf("peer ID  %s\nHTTP     %s\n", st.PeerID, st.HTTP)
			for _, a := range st.Addrs {
				fmt.Printf("libp2p   %s\n", a)
			}
			t := newTable("PEER", "ID", "CONNECTED", "READ", "WRITE")
			for _, p := range st.Peers {
				t.row(p.Name, p.ID, yesNo(p.Connected), strings.Join(p.Read, ","), strings.Join(p.Write, ","))
			}
			t.flush()
			for _, p := range st.Peers {
				if p.LastError != "" {
					fmt.Printf("%s not reachable: %s\n", p.Name, p.LastError)
				}
			}
			t = newTable("COLLECTION", "TYPE", "BLOCKS")
			for _, col := range st.Collections {
				t.row(col.Name, col.Type, fmt.Sprint(col.Blocks))
			}
			t.flush()
			g := st.Gossip
			fmt.Printf("gossip: %d published, %d accepted, %d ignored, %d rejected, %d dropped\n",
				g.Published, g.Accepted, g.Ignored, g.Rejected, g.Dropped+g.Undeliverable)
			return nil
		},
	}
}
