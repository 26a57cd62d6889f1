package protocol

import "time"

// InboxMessage is an Inbox_Message (MSG-95).
type InboxMessage struct {
	Header
	// ResultID is set when the message carries an asynchronous poll result.
	ResultID                   string
	DestinationCollectionNames []string
	Message                    string
	SourceSubscription         *SourceSubscription
	RecordCount                *RecordCount
	ContentBlocks              []ContentBlock
}

// Type returns TypeInboxMessage.
func (*InboxMessage) Type() MessageType { return TypeInboxMessage }

// SourceSubscription says which subscription an Inbox_Message fulfils.
type SourceSubscription struct {
	CollectionName string
	SubscriptionID string
	// ExclusiveBegin and InclusiveEnd are the zero time when absent.
	ExclusiveBegin time.Time
	InclusiveEnd   time.Time
}
