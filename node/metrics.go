package node

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/taxiinode/taxiinode/protocol"
)

// metrics are the node's Prometheus metrics, on a registry of its own so
// that several nodes can run in one process.
type metrics struct {
	requests *prometheus.CounterVec
	refusals *prometheus.CounterVec
	blocks   *prometheus.CounterVec
	skips    *prometheus.CounterVec
	pushes   *prometheus.CounterVec
	failures *prometheus.CounterVec
	once     sync.Once
	reg      *prometheus.Registry
}

func newMetrics() *metrics {
	return &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_requests_total",
			Help: "TAXII requests answered, by transport, message type and answer.",
		}, []string{"transport", "type", "answer"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_refusals_total",
			Help: "TAXII requests answered with an error status, by message type.",
		}, []string{"type"}),
		blocks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_blocks_stored_total",
			Help: "Content blocks stored, by collection and how they arrived.",
		}, []string{"collection", "via"}),
		skips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_blocks_skipped_total",
			Help: "Content blocks from peers not stored because the collection does not accept their binding.",
		}, []string{"collection", "via"}),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_subscription_blocks_delivered_total",
			Help: "Content blocks pushed to subscribers and acknowledged, by collection.",
		}, []string{"collection"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taxiinode_subscription_delivery_failures_total",
			Help: "Subscription deliveries that failed and wait for a retry, by collection.",
		}, []string{"collection"}),
	}
}

func (m *metrics) request(transport string, t protocol.MessageType, resp protocol.Message) {
	answer := string(resp.Type())
	if st, ok := resp.(*protocol.StatusMessage); ok {
		answer = string(st.StatusType)
	}
	m.requests.WithLabelValues(transport, string(t), answer).Inc()
}

func (m *metrics) refused(t protocol.MessageType) { m.refusals.WithLabelValues(string(t)).Inc() }

func (m *metrics) stored(coll, via string, n int) {
	if n > 0 {
		m.blocks.WithLabelValues(coll, via).Add(float64(n))
	}
}

func (m *metrics) skipped(coll, via string) { m.skips.WithLabelValues(coll, via).Inc() }

func (m *metrics) delivered(coll string, n int) { m.pushes.WithLabelValues(coll).Add(float64(n)) }

func (m *metrics) deliveryFailed(coll string) { m.failures.WithLabelValues(coll).Inc() }

// registry returns the registry with every metric, including the libp2p
// host's gossip counters and the block count of each collection, read when
// scraped.
func (m *metrics) registry(n *Node) *prometheus.Registry {
	m.once.Do(func() {
		m.reg = prometheus.NewRegistry()
		m.reg.MustRegister(m.requests, m.refusals, m.blocks, m.skips, m.pushes, m.failures,
			collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			nodeCollector{n})
	})
	return m.reg
}

// nodeCollector reads the host's counters and the collections' sizes when
// the metrics are scraped.
type nodeCollector struct{ n *Node }

var (
	gossipDesc = prometheus.NewDesc("taxiinode_gossip_events_total",
		"Gossip events of the libp2p host; dropped and undeliverable are pubsub's silent losses.",
		[]string{"event"}, nil)
	peersDesc = prometheus.NewDesc("taxiinode_peers_connected",
		"Trusted peers with a connection now.", nil, nil)
	collectionDesc = prometheus.NewDesc("taxiinode_collection_blocks",
		"Content blocks held, by collection.", []string{"collection"}, nil)
)

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- gossipDesc
	ch <- peersDesc
	ch <- collectionDesc
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.n.host.Stats()
	for event, v := range map[string]uint64{
		"published": s.Published, "accepted": s.Accepted, "ignored": s.Ignored,
		"rejected": s.Rejected, "duplicate": s.Duplicates, "dropped": s.Dropped,
		"undeliverable": s.Undeliverable, "throttled": s.Throttled,
		"refused_connection": s.RefusedConns, "refused_dial": s.RefusedDials,
		"malformed_request": s.Malformed,
	} {
		ch <- prometheus.MustNewConstMetric(gossipDesc, prometheus.CounterValue, float64(v), event)
	}
	ch <- prometheus.MustNewConstMetric(peersDesc, prometheus.GaugeValue,
		float64(len(c.n.host.ConnectedPeers())))
	st := c.n.state.Load()
	for _, name := range st.names {
		count, err := c.n.store.Count(context.Background(), name, storeAll)
		if err == nil {
			ch <- prometheus.MustNewConstMetric(collectionDesc, prometheus.GaugeValue, float64(count), name)
		}
	}
}
