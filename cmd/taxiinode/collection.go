package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

func collectionCommand() *cli.Command {
	return &cli.Command{
		Name:  "collection",
		Usage: "manage collections (a running node applies changes within a second)",
		Subcommands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "create a collection",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{dirFlag,
					&cli.StringFlag{Name: "description", Usage: "what the collection holds"},
					&cli.StringFlag{Name: "type", Value: "DATA_FEED", Usage: "DATA_FEED or DATA_SET"},
					&cli.StringSliceFlag{Name: "accept", Usage: "content binding the collection takes, as BINDING or BINDING#SUBTYPE (repeatable; default all)"},
					&cli.BoolFlag{Name: "reshare", Usage: "re-share content from peers under this node's name (hub)"},
					&cli.StringFlag{Name: "reshare-query", Usage: "file with a Default Query filtering what is re-shared"},
					&cli.DurationFlag{Name: "max-age", Usage: "drop blocks older than this (0 keeps all)"},
					&cli.Uint64Flag{Name: "max-blocks", Usage: "keep at most this many blocks (0 keeps all)"},
				},
				Action: collectionCreate,
			},
			{
				Name:      "update",
				Usage:     "change a collection's settings",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{dirFlag,
					&cli.StringFlag{Name: "description", Usage: "what the collection holds"},
					&cli.StringSliceFlag{Name: "accept", Usage: "content binding the collection takes, as BINDING or BINDING#SUBTYPE (repeatable; replaces the list)"},
					&cli.BoolFlag{Name: "accept-all", Usage: "take every content binding"},
					&cli.BoolFlag{Name: "reshare", Usage: "re-share content from peers under this node's name (hub)"},
					&cli.StringFlag{Name: "reshare-query", Usage: "file with a Default Query filtering what is re-shared (copied into the data directory; empty removes the filter)"},
					&cli.DurationFlag{Name: "max-age", Usage: "drop blocks older than this (0 keeps all)"},
					&cli.Uint64Flag{Name: "max-blocks", Usage: "keep at most this many blocks (0 keeps all)"},
				},
				Action: collectionUpdate,
			},
			{
				Name:   "list",
				Usage:  "list collections (with block counts when the node runs)",
				Flags:  []cli.Flag{dirFlag, jsonFlag},
				Action: collectionList,
			},
			{
				Name: "delete",
				Usage: "stop serving a collection; its stored blocks stay (and come back if it is created " +
					"again) unless --purge deletes them",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{dirFlag,
					&cli.BoolFlag{Name: "purge", Usage: "also delete every stored block of the collection"}},
				Action: collectionDelete,
			},
		},
	}
}

func oneArg(c *cli.Context, what string) (string, error) {
	if err := flagsFirst(c); err != nil {
		return "", err
	}
	if c.NArg() != 1 {
		return "", usagef("%s: give exactly one %s", cmdName(c), what)
	}
	return c.Args().First(), nil
}

func collectionCreate(c *cli.Context) error {
	name, err := oneArg(c, "collection name")
	if err != nil {
		return err
	}
	cs := node.CollectionSettings{
		Name:        name,
		Description: c.String("description"),
		Type:        strings.ToUpper(c.String("type")),
		Reshare:     c.Bool("reshare") || c.String("reshare-query") != "",
		MaxAge:      c.Duration("max-age"),
		MaxBlocks:   c.Uint64("max-blocks"),
	}
	if f := c.String("reshare-query"); f != "" {
		path, err := node.ImportQuery(c.String("dir"), name, f)
		if err != nil {
			return clientError(err)
		}
		cs.ReshareQuery = path
	}
	cs.Accept = acceptFlag(c)
	return editSettings(c, func(s *node.Settings) error {
		if _, ok := s.Collection(name); ok {
			return usagef("collection create: %q exists", name)
		}
		s.Collections = append(s.Collections, cs)
		return nil
	}, "collection %s created", name)
}

func collectionUpdate(c *cli.Context) error {
	name, err := oneArg(c, "collection name")
	if err != nil {
		return err
	}
	return editSettings(c, func(s *node.Settings) error {
		cs, ok := s.Collection(name)
		if !ok {
			return usagef("collection update: no collection %q", name)
		}
		if c.IsSet("description") {
			cs.Description = c.String("description")
		}
		if c.IsSet("accept") || c.Bool("accept-all") {
			cs.Accept = acceptFlag(c)
		}
		if c.IsSet("reshare") {
			cs.Reshare = c.Bool("reshare")
		}
		if c.IsSet("reshare-query") {
			cs.ReshareQuery = ""
			if f := c.String("reshare-query"); f != "" {
				path, err := node.ImportQuery(c.String("dir"), name, f)
				if err != nil {
					return clientError(err)
				}
				cs.ReshareQuery = path
				cs.Reshare = true
			}
		}
		if c.IsSet("max-age") {
			cs.MaxAge = c.Duration("max-age")
		}
		if c.IsSet("max-blocks") {
			cs.MaxBlocks = c.Uint64("max-blocks")
		}
		return nil
	}, "collection %s updated", name)
}

func collectionList(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	s, err := node.LoadSettings(c.String("dir"))
	if err != nil {
		return settingsError(err)
	}
	counts := map[string]string{}
	if cl, err := node.NewClient(c.String("dir")); err == nil {
		if st, err := cl.Status(c.Context); err == nil {
			for _, col := range st.Collections {
				counts[col.Name] = fmt.Sprint(col.Blocks)
			}
		}
	}
	if c.Bool("json") {
		return printJSON(s.Collections)
	}
	t := newTable("NAME", "TYPE", "BLOCKS", "ACCEPTS", "RESHARE", "DESCRIPTION")
	for _, col := range s.Collections {
		var accepts []string
		for _, b := range col.Accept {
			if len(b.Subtypes) == 0 {
				accepts = append(accepts, b.Binding)
			}
			for _, st := range b.Subtypes {
				accepts = append(accepts, b.Binding+subtypeMark+st)
			}
		}
		blocks, ok := counts[col.Name]
		if !ok {
			blocks = "-"
		}
		typ := col.Type
		if typ == "" {
			typ = "DATA_FEED"
		}
		all := strings.Join(accepts, ",")
		if all == "" {
			all = "all"
		}
		t.row(col.Name, typ, blocks, all, yesNo(col.Reshare), col.Description)
	}
	t.flush()
	return nil
}

func collectionDelete(c *cli.Context) error {
	name, err := oneArg(c, "collection name")
	if err != nil {
		return err
	}
	err = editSettings(c, func(s *node.Settings) error {
		i := slices.IndexFunc(s.Collections, func(cs node.CollectionSettings) bool { return cs.Name == name })
		if i < 0 {
			return usagef("collection delete: no collection %q", name)
		}
		if s.Inbox.DefaultCollection == name {
			return usagef("collection delete: %q is the inbox's default collection", name)
		}
		s.Collections = slices.Delete(s.Collections, i, i+1)
		// Rights on a collection that is gone go with it.
		drop := func(r *node.RightsSettings) {
			r.Read = changeList(r.Read, []string{name}, false)
			r.Write = changeList(r.Write, []string{name}, false)
		}
		for i := range s.Peers {
			drop(&s.Peers[i].RightsSettings)
		}
		for i := range s.Accounts {
			drop(&s.Accounts[i].RightsSettings)
		}
		drop(&s.HTTP.Anonymous)
		return nil
	}, "collection %s deleted", name)
	if err != nil || !c.Bool("purge") {
		return err
	}
	if err := node.Purge(c.Context, c.String("dir"), name); err != nil {
		return err
	}
	fmt.Printf("stored blocks of %s deleted\n", name)
	return nil
}

// subtypeMark separates a content binding from a subtype in --accept.
const subtypeMark = "#"

// acceptFlag returns the bindings of the --accept flags, each BINDING (every
// subtype) or BINDING#SUBTYPE, with a binding's subtypes gathered in one
// entry. A binding also given without a subtype takes every subtype.
// Settings.Validate checks that each is a URI.
func acceptFlag(c *cli.Context) []node.BindingSettings {
	var accept []node.BindingSettings
	all := map[string]bool{}
	for _, v := range c.StringSlice("accept") {
		binding, subtype, hasSubtype := strings.Cut(v, subtypeMark)
		i := slices.IndexFunc(accept, func(b node.BindingSettings) bool { return b.Binding == binding })
		if i < 0 {
			accept = append(accept, node.BindingSettings{Binding: binding})
			i = len(accept) - 1
		}
		switch {
		case !hasSubtype:
			all[binding] = true
			accept[i].Subtypes = nil
		case !all[binding] && !slices.Contains(accept[i].Subtypes, subtype):
			accept[i].Subtypes = append(accept[i].Subtypes, subtype)
		}
	}
	return accept
}
