package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

var peerFlag = &cli.StringFlag{Name: "peer", Usage: "a trusted peer's ID: ask it, through the local node"}

func pushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "push documents into a collection of the running node, one content block each",
		ArgsUsage: "FILE...",
		Flags: []cli.Flag{dirFlag,
			&cli.StringFlag{Name: "collection", Value: node.DefaultCollection, Usage: "destination collection"},
			&cli.StringFlag{Name: "binding", Usage: "content binding URN (default: sniffed, STIX 1.x XML or STIX 2 JSON)"},
		},
		Action: func(c *cli.Context) error {
			if err := flagsFirst(c); err != nil {
				return err
			}
			if c.NArg() == 0 {
				return usagef("push: give at least one file")
			}
			cl, err := node.NewClient(c.String("dir"))
			if err != nil {
				return settingsError(err)
			}
			results, err := cl.Push(c.Context, c.String("collection"), c.String("binding"), c.Args().Slice())
			if errors.Is(err, node.ErrBadInput) {
				return usageError{err}
			}
			failed, refused := 0, 0
			for _, r := range results {
				fmt.Printf("%s\t%s\t%s", r.File, r.Binding, r.Status)
				if r.Message != "" {
					fmt.Printf("\t%s", r.Message)
				}
				fmt.Println()
				if !r.Stored() {
					failed++
				}
				if r.BadRequest() {
					refused++
				}
			}
			if err != nil {
				return err
			}
			if refused > 0 {
				return usagef("push: %d of %d documents refused", failed, len(results))
			}
			if failed > 0 {
				return fmt.Errorf("push: %d of %d documents not stored", failed, len(results))
			}
			return nil
		},
	}
}

func pollCommand() *cli.Command {
	return &cli.Command{
		Name:  "poll",
		Usage: "poll a collection of the local node, or of a trusted peer through it",
		Flags: []cli.Flag{dirFlag, peerFlag, jsonFlag,
			&cli.StringFlag{Name: "collection", Value: node.DefaultCollection, Usage: "collection to poll"},
			&cli.StringFlag{Name: "since", Usage: "only blocks labelled after this RFC 3339 time (UTC if no zone)"},
			&cli.StringFlag{Name: "out", Usage: "write each content block to a file in this directory"},
			&cli.BoolFlag{Name: "count", Usage: "ask for the number of blocks only"},
		},
		Action: poll,
	}
}

func poll(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	opts := node.PollOptions{Collection: c.String("collection"), CountOnly: c.Bool("count")}
	var err error
	if opts.Since, err = parseSince(c.String("since")); err != nil {
		return err
	}
	opts.Peer = c.String("peer")
	out := c.String("out")
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
	}
	cl, err := node.NewClient(c.String("dir"))
	if err != nil {
		return settingsError(err)
	}
	var rows []blockRow
	res, err := cl.Poll(c.Context, opts, func(b *node.Block) error {
		row := newBlockRow(b)
		if out != "" {
			row.File = filepath.Join(out, row.fileName(b))
			if err := os.WriteFile(row.File, b.Content, 0o644); err != nil {
				return err
			}
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return clientError(err)
	}
	if c.Bool("json") {
		return printJSON(struct {
			Count  uint64     `json:"count"`
			End    string     `json:"end"`
			Blocks []blockRow `json:"blocks"`
		}{res.Count, node.FormatTime(res.End), rows})
	}
	if !opts.CountOnly {
		t := newTable("LABEL", "BINDING", "BYTES", "SHA256", "FILE")
		for _, r := range rows {
			t.row(r.Label, r.Binding, fmt.Sprint(r.Bytes), r.SHA256[:12], r.File)
		}
		t.flush()
	}
	fmt.Printf("%s; next poll: --since %s\n", blocks(res.Count), node.FormatTime(res.End))
	return nil
}

// blockRow describes one polled content block.
type blockRow struct {
	Label   string `json:"label"`
	Binding string `json:"binding"`
	Bytes   int    `json:"bytes"`
	SHA256  string `json:"sha256"`
	File    string `json:"file,omitempty"`
}

func newBlockRow(b *node.Block) blockRow {
	sum := sha256.Sum256(b.Content)
	r := blockRow{Binding: b.Binding, Bytes: len(b.Content), SHA256: hex.EncodeToString(sum[:])}
	if !b.Label.IsZero() {
		r.Label = node.FormatTime(b.Label)
	}
	return r
}

// fileName names a block's file after its label and hash, with an
// extension that fits its content.
func (r blockRow) fileName(b *node.Block) string {
	ext := "txt"
	switch {
	case b.IsXML:
		ext = "xml"
	case strings.Contains(b.Binding, "json"):
		ext = "json"
	}
	label := strings.NewReplacer(":", "", "-", "").Replace(r.Label)
	if label == "" {
		label = "block"
	}
	return label + "-" + r.SHA256[:12] + "." + ext
}

// parseSince reads an RFC 3339 time; a time without a zone is UTC (case
// S02: the node never sends a timestamp without a zone), a bare date is its
// midnight UTC.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("--since %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", s)
}

func discoverCommand() *cli.Command {
	return &cli.Command{
		Name:  "discover",
		Usage: "list the TAXII services the local node, or a trusted peer, offers",
		Flags: []cli.Flag{dirFlag, peerFlag, jsonFlag},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			cl, err := node.NewClient(c.String("dir"))
			if err != nil {
				return settingsError(err)
			}
			services, err := cl.Discover(c.Context, c.String("peer"))
			if err != nil {
				return clientError(err)
			}
			if c.Bool("json") {
				return printJSON(services)
			}
			t := newTable("SERVICE", "PROTOCOL", "ADDRESS", "MESSAGE BINDINGS")
			for _, s := range services {
				t.row(s.Type, s.Protocol, s.Address, strings.Join(s.Bindings, " "))
			}
			t.flush()
			return nil
		},
	}
}

// blocks says how many blocks, in English.
func blocks(n uint64) string {
	if n == 1 {
		return "1 block"
	}
	return fmt.Sprintf("%d blocks", n)
}
