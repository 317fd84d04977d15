using Samsa.Cli.CommandLine;
using Samsa.Client.Admin;

namespace Samsa.Cli.Commands;

/// <summary>Builds the admin client commands share: brokers from -b or the environment, -X properties, --timeout.</summary>
internal static class AdminCommands
{
    public static readonly IReadOnlyList<OptionSpec> Common = [CommonOptions.Brokers, CommonOptions.Property, CommonOptions.Timeout];

    /// <summary>
    /// An admin client for <paramref name="brokers"/>, or for -b / SAMSA_BROKERS when null. Commands
    /// whose -X properties belong to a producer or consumer pass <paramref name="useProperties"/> false:
    /// the admin client would reject keys such as linger.ms. <paramref name="maxTimeout"/> caps --timeout.
    /// </summary>
    public static AdminClient Create(ParsedArguments args, CliContext context, string? brokers = null, bool useProperties = true,
        TimeSpan? maxTimeout = null)
    {
        brokers ??= CommonOptions.ResolveBrokers(args, context);
        var props = useProperties ? CommonOptions.Properties(args) : [];
        props["bootstrap.servers"] = brokers;
        var timeout = CommonOptions.ResolveTimeout(args);
        if (maxTimeout is { } max && max > TimeSpan.Zero)
            timeout = Min(timeout, max);
        AdminOptions options;
        try
        {
            options = AdminOptions.FromProperties(props);
            options = options with
            {
                DefaultApiTimeout = props.ContainsKey("default.api.timeout.ms") ? options.DefaultApiTimeout : timeout,
                RequestTimeout = props.ContainsKey("request.timeout.ms") ? options.RequestTimeout : Min(options.RequestTimeout, timeout),
            };
            return new AdminClient(options, ClientLogging.Create(context));
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("invalid setting: ", e);
        }
    }

    /// <summary>Topic names from -t and the positional arguments.</summary>
    public static List<string> Topics(ParsedArguments args, bool required)
    {
        var topics = new List<string>();
        if (args.Get(CommonOptions.Topic.Long) is { } t)
            topics.AddRange(t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        topics.AddRange(args.Positionals);
        if (required && topics.Count == 0)
            throw new CliUsageException($"'samsa {args.Command}' needs at least one topic (-t TOPIC or TOPIC...)");
        return topics;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
