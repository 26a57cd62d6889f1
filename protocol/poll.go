package protocol

import "time"

// PollRequest is a Poll_Request (MSG-70). Exactly one of SubscriptionID and
// Parameters is set.
type PollRequest struct {
	Header
	CollectionName string
	// ExclusiveBegin and InclusiveEnd bound the time window; the zero time
	// means no bound.
	ExclusiveBegin time.Time
	InclusiveEnd   time.Time
	SubscriptionID string
	Parameters     *PollParameters
}

// Type returns TypePollRequest.
func (*PollRequest) Type() MessageType { return TypePollRequest }

// PollParameters are the Poll_Parameters (MSG-16).
type PollParameters struct {
	AllowAsynch bool
	// ResponseType is empty when the request did not give one (FULL).
	ResponseType       ResponseType
	ContentBindings    []ContentBinding
	Query              *Query
	DeliveryParameters *DeliveryParameters
}

// PollResponse is a Poll_Response (MSG-80).
type PollResponse struct {
	Header
	CollectionName string
	More           bool
	ResultID       string
	// ResultPartNumber is 0 when absent (part 1).
	ResultPartNumber int
	SubscriptionID   string
	// ExclusiveBegin and InclusiveEnd are the window the producer
	// considered; the zero time means absent.
	ExclusiveBegin time.Time
	InclusiveEnd   time.Time
	RecordCount    *RecordCount
	Message        string
	ContentBlocks  []ContentBlock
}

// Type returns TypePollResponse.
func (*PollResponse) Type() MessageType { return TypePollResponse }

// PollFulfillment is a Poll_Fulfillment request (MSG-90).
type PollFulfillment struct {
	Header
	CollectionName string
	ResultID       string
	// ResultPartNumber is the part asked for; absent decodes as 1 (AMB-1).
	ResultPartNumber int
}

// Type returns TypePollFulfillment.
func (*PollFulfillment) Type() MessageType { return TypePollFulfillment }
