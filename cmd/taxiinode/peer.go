package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

// rightsFlags are the --read and --write flags of a peer or an account.
func rightsFlags(who string) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "read", Usage: "collection the " + who + " may read (repeatable; * for all)"},
		&cli.StringSliceFlag{Name: "write", Usage: "collection the " + who + " may write (repeatable; * for all)"},
	}
}

func peerCommand() *cli.Command {
	nameFlag := &cli.StringFlag{Name: "name", Usage: "the operator's name for the peer"}
	rights := rightsFlags("peer")
	return &cli.Command{
		Name:  "peer",
		Usage: "manage trusted peers (a running node applies changes within a second)",
		Subcommands: []*cli.Command{
			{
				Name:  "add",
				Usage: "trust a peer",
				Flags: append([]cli.Flag{dirFlag, nameFlag,
					&cli.StringFlag{Name: "id", Usage: "the peer's ID"},
					&cli.StringSliceFlag{Name: "addr", Usage: "multiaddr to dial the peer at (repeatable)"},
				}, rights...),
				Action: peerAdd,
			},
			{
				Name:   "list",
				Usage:  "list trusted peers",
				Flags:  []cli.Flag{dirFlag, jsonFlag},
				Action: peerList,
			},
			{
				Name:      "remove",
				Usage:     "stop trusting a peer; it is disconnected and refused",
				ArgsUsage: "[NAME]",
				Flags:     []cli.Flag{dirFlag, nameFlag},
				Action:    peerRemove,
			},
			{
				Name:      "grant",
				ArgsUsage: "[NAME]",
				Usage:     "give a peer rights on collections",
				Flags:     append([]cli.Flag{dirFlag, nameFlag}, rights...),
				Action:    func(c *cli.Context) error { return peerRights(c, true) },
			},
			{
				Name:      "revoke",
				ArgsUsage: "[NAME]",
				Usage:     "take rights on collections from a peer",
				Flags:     append([]cli.Flag{dirFlag, nameFlag}, rights...),
				Action:    func(c *cli.Context) error { return peerRights(c, false) },
			},
		},
	}
}

// editSettings loads the configuration, lets edit change it, checks it as
// the node will and saves it, then says what was done. Errors of edit and
// settings that do not pass the check are usage errors.
func editSettings(c *cli.Context, edit func(*node.Settings) error, done string, args ...any) error {
	if err := node.EditSettings(c.String("dir"), edit); err != nil {
		return settingsError(err)
	}
	fmt.Printf(done+"; a running node applies it within a second\n", args...)
	return nil
}

// settingsError marks the errors about a data directory and its settings
// that are the user's to fix as usage errors.
func settingsError(err error) error {
	if errors.Is(err, node.ErrInvalidSettings) || errors.Is(err, node.ErrNotInitialized) {
		return usageError{err}
	}
	return err
}

func peerAdd(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	name, err := required(c, "name")
	if err != nil {
		return err
	}
	id, err := required(c, "id")
	if err != nil {
		return err
	}
	return editSettings(c, func(s *node.Settings) error {
		if _, ok := s.Peer(name); ok {
			return usagef("peer add: a peer named %q exists", name)
		}
		if _, ok := s.Peer(id); ok {
			return usagef("peer add: peer %s is already listed", id)
		}
		p := node.PeerSettings{Name: name, ID: id, Addrs: c.StringSlice("addr")}
		p.Read, p.Write = c.StringSlice("read"), c.StringSlice("write")
		s.Peers = append(s.Peers, p)
		return nil
	}, "peer %s added", name)
}

func peerList(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	s, err := node.LoadSettings(c.String("dir"))
	if err != nil {
		return settingsError(err)
	}
	if c.Bool("json") {
		return printJSON(s.Peers)
	}
	t := newTable("NAME", "ID", "READ", "WRITE", "ADDRS")
	for _, p := range s.Peers {
		t.row(p.Name, p.ID, strings.Join(p.Read, ","), strings.Join(p.Write, ","), strings.Join(p.Addrs, " "))
	}
	t.flush()
	return nil
}

// nameArg returns the --name flag or the single positional argument.
func nameArg(c *cli.Context) (string, error) {
	if err := flagsFirst(c); err != nil {
		return "", err
	}
	name := c.String("name")
	if name == "" && c.NArg() == 1 {
		name = c.Args().First()
	} else if c.NArg() > 0 {
		return "", usagef("%s: give the name once, as --name or as the argument", cmdName(c))
	}
	if name == "" {
		return "", usagef("%s: name it, with --name NAME or as the last argument", cmdName(c))
	}
	return name, nil
}

func peerRemove(c *cli.Context) error {
	name, err := nameArg(c)
	if err != nil {
		return err
	}
	return editSettings(c, func(s *node.Settings) error {
		i := slices.IndexFunc(s.Peers, func(p node.PeerSettings) bool { return p.Name == name || p.ID == name })
		if i < 0 {
			return usagef("peer remove: no peer %q", name)
		}
		s.Peers = slices.Delete(s.Peers, i, i+1)
		return nil
	}, "peer %s removed", name)
}

func peerRights(c *cli.Context, grant bool) error {
	name, err := nameArg(c)
	if err != nil {
		return err
	}
	read, write := c.StringSlice("read"), c.StringSlice("write")
	if len(read) == 0 && len(write) == 0 {
		return usagef("%s: give --read or --write", cmdName(c))
	}
	var now node.RightsSettings
	err = editSettings(c, func(s *node.Settings) error {
		p, ok := s.Peer(name)
		if !ok {
			return usagef("%s: no peer %q", cmdName(c), name)
		}
		for _, coll := range append(append([]string(nil), read...), write...) {
			if _, ok := s.Collection(coll); !ok && coll != "*" {
				return usagef("%s: no collection %q", cmdName(c), coll)
			}
		}
		p.Read = changeList(p.Read, read, grant)
		p.Write = changeList(p.Write, write, grant)
		now = p.RightsSettings
		return nil
	}, "peer %s changed", name)
	if err == nil {
		fmt.Printf("peer %s reads [%s] and writes [%s]\n", name, strings.Join(now.Read, " "),
			strings.Join(now.Write, " "))
	}
	return err
}

// changeList adds or removes names from a list, keeping its order.
func changeList(list, names []string, add bool) []string {
	for _, n := range names {
		i := slices.Index(list, n)
		switch {
		case add && i < 0:
			list = append(list, n)
		case !add && i >= 0:
			list = slices.Delete(list, i, i+1)
		}
	}
	return list
}

func accountCommand() *cli.Command {
	rights := rightsFlags("account")
	return &cli.Command{
		Name:  "account",
		Usage: "manage HTTP accounts of the TAXII HTTP binding",
		Subcommands: []*cli.Command{
			{
				Name:  "add",
				Usage: "add an account; the password is read from standard input",
				Flags: append([]cli.Flag{dirFlag,
					&cli.StringFlag{Name: "name", Usage: "account name"},
					&cli.BoolFlag{Name: "password-stdin", Usage: "read a password from standard input"},
					&cli.StringSliceFlag{Name: "cert-sha256", Usage: "SHA-256 of a client certificate"},
					&cli.StringSliceFlag{Name: "cert-subject", Usage: "client certificate subject common name"},
				}, rights...),
				Action: accountAdd,
			},
			{
				Name:  "list",
				Usage: "list accounts",
				Flags: []cli.Flag{dirFlag, jsonFlag},
				Action: func(c *cli.Context) error {
					s, err := node.LoadSettings(c.String("dir"))
					if err != nil {
						return settingsError(err)
					}
					if c.Bool("json") {
						for i := range s.Accounts {
							s.Accounts[i].PasswordHash = ""
						}
						return printJSON(s.Accounts)
					}
					t := newTable("NAME", "PASSWORD", "CERTIFICATES", "READ", "WRITE")
					for _, a := range s.Accounts {
						t.row(a.Name, yesNo(a.PasswordHash != ""), fmt.Sprint(len(a.CertSHA256)+len(a.CertSubjects)),
							strings.Join(a.Read, ","), strings.Join(a.Write, ","))
					}
					t.flush()
					return nil
				},
			},
			{
				Name:      "remove",
				Usage:     "remove an account",
				ArgsUsage: "[NAME]",
				Flags:     []cli.Flag{dirFlag, &cli.StringFlag{Name: "name", Usage: "account name"}},
				Action: func(c *cli.Context) error {
					name, err := nameArg(c)
					if err != nil {
						return err
					}
					return editSettings(c, func(s *node.Settings) error {
						i := slices.IndexFunc(s.Accounts, func(a node.AccountSettings) bool { return a.Name == name })
						if i < 0 {
							return usagef("account remove: no account %q", name)
						}
						s.Accounts = slices.Delete(s.Accounts, i, i+1)
						return nil
					}, "account %s removed", name)
				},
			},
		},
	}
}
