package node

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/trust"
)

// How the configuration file is watched: file system events and a poll
// (some file systems send no events) notice a change; the change is applied
// once the file has stayed the same for reloadSettle, so that an editor
// writing it in several steps is not caught half way.
const (
	reloadPoll   = 100 * time.Millisecond
	reloadSettle = 250 * time.Millisecond
)

// watchSettings applies the configuration file whenever it changes, until
// ctx ends. A file that does not parse or validate is logged and ignored:
// the node keeps running on the last good configuration.
func (n *Node) watchSettings(ctx context.Context) error {
	path := filepath.Join(n.dir, ConfigFile)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(n.dir); err != nil {
		return err
	}
	applied := fileStamp(path)
	seen, seenAt := applied, time.Time{}
	t := time.NewTicker(reloadPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			if filepath.Base(ev.Name) != ConfigFile {
				continue
			}
		case err := <-w.Errors:
			n.log.Warn("configuration watch", "err", err)
			continue
		case <-t.C:
		}
		now, cur := time.Now(), fileStamp(path)
		if cur != seen {
			seen, seenAt = cur, now
		}
		if seen != applied && now.Sub(seenAt) >= reloadSettle {
			applied = seen
			n.Reload()
		}
	}
}

// stamp identifies a version of a file.
type stamp struct {
	mod  time.Time
	size int64
}

func fileStamp(path string) stamp {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stamp{mod: fi.ModTime(), size: fi.Size()}
}

// Reload reads the configuration file again and applies it: peers, rights,
// accounts, collections, retention and re-share settings take effect at
// once. Listen addresses, TLS and the pre-shared key need a restart.
func (n *Node) Reload() {
	n.reloadMu.Lock()
	defer n.reloadMu.Unlock()
	if err := n.reload(); err != nil {
		n.log.Error("configuration not applied", "err", err)
		msg := err.Error()
		n.configErr.Store(&msg)
		return
	}
	n.configErr.Store(nil)
}

// reload applies the configuration file; an error leaves the node as it
// was.
func (n *Node) reload() error {
	s, err := LoadSettings(n.dir)
	if err != nil {
		return err
	}
	st, err := newState(n.dir, s)
	if err != nil {
		return err
	}
	if err := checkFiles(n.dir, s); err != nil {
		return err
	}
	policy, err := s.policy()
	if err != nil {
		return err
	}
	old := n.state.Load()
	oldPolicy := n.trust.Policy()
	if err := n.trust.Replace(policy); err != nil {
		return err
	}
	n.state.Store(st)
	n.applyPeers(s)
	for _, id := range lost(oldPolicy, policy, st.names, trust.Read) {
		if p, err := peer.ParseID(id); err == nil {
			n.host.Disconnect(p)
		}
	}
	// A peer that may now write what it could not before is polled at once
	// for what this node refused from it meanwhile.
	for _, id := range lost(policy, oldPolicy, st.names, trust.Write) {
		if p, err := peer.ParseID(id); err == nil && n.host.Connected(p) {
			n.catchUps.connected(p)
		}
	}
	n.joinTopics(old, st)
	if !slices.Equal(old.settings.P2P.Listen, s.P2P.Listen) || !sameListeners(old.settings.HTTP, s.HTTP) {
		n.log.Warn("listen addresses, TLS and HTTP settings apply at the next restart")
	}
	n.log.Info("configuration applied", "peers", len(s.Peers), "collections", len(s.Collections))
	n.subscriptions.notify("")
	return nil
}

// lost returns the peers still trusted that held right on a collection
// under old and no longer under cur. Peers that lost the read right have
// their connections dropped so that, on reconnecting, they are filtered out
// of the collection's topic.
func lost(old, cur trust.Policy, collections []string, right trust.Right) []string {
	var ids []string
	for _, o := range old.Peers {
		for _, c := range cur.Peers {
			if c.ID != o.ID {
				continue
			}
			for _, name := range collections {
				if o.Rights.On(name).Has(right) && !c.Rights.On(name).Has(right) {
					ids = append(ids, c.ID)
					break
				}
			}
		}
	}
	return ids
}

func sameListeners(a, b HTTPSettings) bool {
	return a.Listen == b.Listen && a.TLSCert == b.TLSCert && a.TLSKey == b.TLSKey && a.ClientCA == b.ClientCA
}
