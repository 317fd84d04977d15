namespace Samsa.Client.Network;

/// <summary>
/// Requests sent (or being sent) that have not completed yet, one queue per node, oldest first
/// (Java's InFlightRequests). Kafka answers in order per connection, so a response always belongs
/// to the oldest request still waiting for one.
/// </summary>
public sealed class InFlightRequests
{
    private readonly int _maxInFlightRequestsPerConnection;
    private readonly Dictionary<int, RequestQueue> _requests = [];
    private int _count;

    /// <summary>Creates the table.</summary>
    public InFlightRequests(int maxInFlightRequestsPerConnection)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightRequestsPerConnection, 1);
        _maxInFlightRequestsPerConnection = maxInFlightRequestsPerConnection;
    }

    /// <summary>Total requests in flight.</summary>
    public int Count => _count;

    /// <summary>Requests in flight to one node.</summary>
    public int CountFor(int node) => _requests.TryGetValue(node, out var q) ? q.Count : 0;

    /// <summary>True when nothing is in flight to the node.</summary>
    public bool IsEmpty(int node) => CountFor(node) == 0;

    /// <summary>Adds a request that is being sent.</summary>
    public void Add(ClientRequest request)
    {
        if (!_requests.TryGetValue(request.Destination, out var queue))
        {
            queue = new RequestQueue();
            _requests[request.Destination] = queue;
        }
        queue.AddLast(request);
        _count++;
    }

    /// <summary>
    /// True when another request may go to the node: nothing is in flight, or the newest request
    /// has been fully written and fewer than max.in.flight.requests.per.connection are outstanding.
    /// Waiting for the write keeps one slow connection from queueing unbounded bytes.
    /// </summary>
    public bool CanSendMore(int node)
    {
        if (!_requests.TryGetValue(node, out var queue) || queue.Count == 0)
            return true;
        return queue.PeekLast().SendCompleted && queue.Count < _maxInFlightRequestsPerConnection;
    }

    /// <summary>The oldest request to the node, removed (the one the next response belongs to).</summary>
    public ClientRequest CompleteNext(int node)
    {
        var request = Queue(node).RemoveFirst();
        _count--;
        return request;
    }

    /// <summary>The oldest request to the node, not removed.</summary>
    public ClientRequest? PeekNext(int node)
        => _requests.TryGetValue(node, out var q) && q.Count > 0 ? q.PeekFirst() : null;

    /// <summary>The newest request to the node, not removed.</summary>
    public ClientRequest LastSent(int node) => Queue(node).PeekLast();

    /// <summary>Removes a specific request (one that expects no response and has been written).</summary>
    public bool Remove(ClientRequest request)
    {
        if (!_requests.TryGetValue(request.Destination, out var queue) || !queue.Remove(request))
            return false;
        _count--;
        return true;
    }

    /// <summary>Removes every request to the node, oldest first, into <paramref name="result"/>.</summary>
    public void ClearAll(int node, List<ClientRequest> result)
    {
        if (!_requests.TryGetValue(node, out var queue))
            return;
        while (queue.Count > 0)
        {
            result.Add(queue.RemoveFirst());
            _count--;
        }
    }

    /// <summary>Nodes with a request older than its timeout, into <paramref name="result"/>.</summary>
    public void NodesWithTimedOutRequests(long nowMs, List<int> result)
    {
        foreach (var (node, queue) in _requests)
        {
            for (var i = 0; i < queue.Count; i++)
            {
                var request = queue[i];
                if (request.TimeElapsedSinceSendMs(nowMs) > request.RequestTimeoutMs)
                {
                    result.Add(node);
                    break;
                }
            }
        }
    }

    /// <summary>Milliseconds until the next in-flight request times out (<see cref="long.MaxValue"/> when none).</summary>
    public long NextTimeoutMs(long nowMs)
    {
        var next = long.MaxValue;
        foreach (var queue in _requests.Values)
        {
            for (var i = 0; i < queue.Count; i++)
            {
                var request = queue[i];
                next = Math.Min(next, Math.Max(0, request.RequestTimeoutMs - request.TimeElapsedSinceSendMs(nowMs)));
            }
        }
        return next;
    }

    /// <summary>Node ids with anything in flight, into <paramref name="result"/>.</summary>
    public void NodesWithRequests(List<int> result)
    {
        foreach (var (node, queue) in _requests)
        {
            if (queue.Count > 0)
                result.Add(node);
        }
    }

    private RequestQueue Queue(int node)
    {
        if (!_requests.TryGetValue(node, out var queue) || queue.Count == 0)
            throw new InvalidOperationException($"There are no in-flight requests for node {node}");
        return queue;
    }

    /// <summary>A growable ring buffer; no allocation per request once warmed up.</summary>
    private sealed class RequestQueue
    {
        private ClientRequest[] _items = new ClientRequest[8];
        private int _head;

        public int Count { get; private set; }

        public ClientRequest this[int index] => _items[(_head + index) % _items.Length];

        public void AddLast(ClientRequest request)
        {
            if (Count == _items.Length)
            {
                var grown = new ClientRequest[_items.Length * 2];
                for (var i = 0; i < Count; i++)
                    grown[i] = this[i];
                _items = grown;
                _head = 0;
            }
            _items[(_head + Count) % _items.Length] = request;
            Count++;
        }

        public ClientRequest PeekFirst() => _items[_head];

        public ClientRequest PeekLast() => this[Count - 1];

        public ClientRequest RemoveFirst()
        {
            var request = _items[_head];
            _items[_head] = null!;
            _head = (_head + 1) % _items.Length;
            Count--;
            return request;
        }

        public bool Remove(ClientRequest request)
        {
            for (var i = 0; i < Count; i++)
            {
                if (!ReferenceEquals(this[i], request))
                    continue;
                for (var j = i; j < Count - 1; j++)
                    _items[(_head + j) % _items.Length] = this[j + 1];
                _items[(_head + Count - 1) % _items.Length] = null!;
                Count--;
                return true;
            }
            return false;
        }
    }
}
