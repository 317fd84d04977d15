using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Network;

/// <summary>
/// One broker of the embedded cluster: a loopback listener and its connections. The cluster's
/// state is shared by all brokers; a broker only decides which requests it may answer (leader,
/// coordinator) through <see cref="EmbeddedCluster"/>.
/// </summary>
internal sealed class BrokerNode : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly HashSet<BrokerConnection> _connections = [];
    private readonly ILogger _logger;
    private Socket? _listener;
    private Task? _acceptLoop;
    private static long s_nextConnectionId;

    public BrokerNode(EmbeddedCluster cluster, int id, int port, ILogger logger)
    {
        Cluster = cluster;
        Id = id;
        Port = port;
        _logger = logger;
    }

    public EmbeddedCluster Cluster { get; }

    public int Id { get; }

    /// <summary>The bound port; kept across a stop/start so clients find the broker again.</summary>
    public int Port { get; private set; }

    public string Host => "127.0.0.1";

    public bool IsRunning { get; private set; }

    public void Start()
    {
        lock (_lock)
        {
            if (IsRunning)
            {
                return;
            }
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            socket.Listen(512);
            Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            _listener = socket;
            IsRunning = true;
            _acceptLoop = Task.Run(() => AcceptLoopAsync(socket));
        }
        _logger.LogInformation("[Broker id={BrokerId}] Listening on {Host}:{Port}.", Id, Host, Port);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var connection = new BrokerConnection(client, this, Interlocked.Increment(ref s_nextConnectionId), _logger);
            lock (_lock)
            {
                if (!IsRunning)
                {
                    client.Dispose();
                    continue;
                }
                _connections.Add(connection);
            }
            connection.Start();
        }
    }

    internal void Forget(BrokerConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>Closes every open connection; the listener keeps accepting new ones.</summary>
    public int CutConnections()
    {
        BrokerConnection[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }
        foreach (var connection in connections)
        {
            connection.Abort();
        }
        return connections.Length;
    }

    public async Task StopAsync()
    {
        BrokerConnection[] connections;
        Task? acceptLoop;
        lock (_lock)
        {
            if (!IsRunning)
            {
                return;
            }
            IsRunning = false;
            _listener?.Dispose();
            _listener = null;
            acceptLoop = _acceptLoop;
            connections = [.. _connections];
            _connections.Clear();
        }
        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        if (acceptLoop is not null)
        {
            await acceptLoop.ConfigureAwait(false);
        }
        _logger.LogInformation("[Broker id={BrokerId}] Stopped.", Id);
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
