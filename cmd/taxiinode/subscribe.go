package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

func subscribeCommand() *cli.Command {
	return &cli.Command{
		Name:  "subscribe",
		Usage: "ask a trusted peer to push a collection's new content to this node",
		Flags: []cli.Flag{dirFlag, peerFlag, jsonFlag,
			&cli.StringFlag{Name: "collection", Value: node.DefaultCollection, Usage: "the peer's collection"},
			&cli.StringFlag{Name: "query", Usage: "file with a TAXII Default Query selecting the content"},
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			p, err := required(c, "peer")
			if err != nil {
				return err
			}
			cl, err := node.NewClient(c.String("dir"))
			if err != nil {
				return settingsError(err)
			}
			sub, err := cl.Subscribe(c.Context, p, c.String("collection"), c.String("query"))
			if err != nil {
				return clientError(err)
			}
			return printSubscriptions(c, []node.Subscription{*sub})
		},
	}
}

func subscriptionCommand() *cli.Command {
	flags := []cli.Flag{dirFlag, peerFlag, jsonFlag,
		&cli.StringFlag{Name: "collection", Value: node.DefaultCollection, Usage: "the collection"},
	}
	change := func(action string) cli.ActionFunc {
		return func(c *cli.Context) error {
			id, err := oneArg(c, "subscription ID")
			if err != nil {
				return err
			}
			cl, err := node.NewClient(c.String("dir"))
			if err != nil {
				return settingsError(err)
			}
			sub, err := cl.ChangeSubscription(c.Context, c.String("peer"), c.String("collection"), id, action)
			if err != nil {
				return clientError(err)
			}
			return printSubscriptions(c, []node.Subscription{*sub})
		}
	}
	return &cli.Command{
		Name:  "subscription",
		Usage: "list, pause, resume or cancel subscriptions (at a peer with --peer, else held on this node)",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list subscriptions to a collection",
				Flags: flags,
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					cl, err := node.NewClient(c.String("dir"))
					if err != nil {
						return settingsError(err)
					}
					subs, err := cl.Subscriptions(c.Context, c.String("peer"), c.String("collection"))
					if err != nil {
						return clientError(err)
					}
					return printSubscriptions(c, subs)
				},
			},
			{Name: "pause", Usage: "stop deliveries", ArgsUsage: "ID", Flags: flags, Action: change("PAUSE")},
			{Name: "resume", Usage: "resume deliveries, with what the pause held back", ArgsUsage: "ID",
				Flags: flags, Action: change("RESUME")},
			{Name: "cancel", Usage: "end a subscription", ArgsUsage: "ID", Flags: flags,
				Action: change("UNSUBSCRIBE")},
		},
	}
}

func printSubscriptions(c *cli.Context, subs []node.Subscription) error {
	if c.Bool("json") {
		return printJSON(subs)
	}
	t := newTable("ID", "COLLECTION", "STATUS", "PUSH TO", "QUERY")
	for _, s := range subs {
		q := "-"
		if s.Query != nil {
			q = yesNo(*s.Query)
		}
		t.row(s.ID, s.Collection, s.Status, s.Push, q)
	}
	t.flush()
	if len(subs) == 0 {
		fmt.Println("no subscriptions")
	}
	return nil
}

// clientError marks errors about the user's input, and the node's refusals
// of what was asked, as usage errors.
func clientError(err error) error {
	if errors.Is(err, node.ErrBadInput) || node.BadRequest(err) {
		return usageError{err}
	}
	return err
}
