using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Worker;

// The worker of PythonRuntime:Isolation:Mode=Process. Its standard input and output are the channel to the host
// that started it; anything else ends it. It builds its runtime with the host's own registration and validation.
FrameChannel channel;
try
{
    var (input, output) = StandardStreams.TakeForChannel();
    channel = new FrameChannel(input, output);
}
catch (IOException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

WorkerMessage? start;
try
{
    start = channel.Read();
}
catch (ChannelProtocolException e)
{
    Console.Error.WriteLine("The host sent an invalid first frame: " + e.Message);
    return 2;
}

if (start is not { Kind: MessageKind.Start, Settings: { } settings })
{
    Console.Error.WriteLine("The worker is started by PyHosting with PythonRuntime:Isolation:Mode=Process; it is not a program to run by hand.");
    return 2;
}

using var denials = new DenialForwarder(channel);

// From here one reader thread serves the channel: the runtime's start already reads through brokered providers.
var link = new HostLink(channel);
link.Start();
IHost host;
IPythonRuntime runtime;
try
{
    var builder = Host.CreateEmptyApplicationBuilder(settings: null);
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.AddProvider(new StandardErrorLoggerProvider());
    var python = builder.Services.AddPythonRuntime();
    BrokeredServices.Add(python, settings, link);
    PyHosting.Hosting.Isolation.WorkerSettings.UseHostConfigurationSection(builder.Services, settings);
    host = builder.Build();
    host.Start();
    runtime = host.Services.GetRequiredService<IPythonRuntime>();
}
catch (OptionsValidationException e)
{
    channel.Write(new WorkerMessage { Kind = MessageKind.StartFailed, Error = new WorkerError { Kind = ErrorKind.Validation, Message = e.Message, Details = [.. e.Failures] } });
    return 1;
}
catch (Exception e) when (e is PythonStartupException or InvalidOperationException or IOException)
{
    channel.Write(new WorkerMessage { Kind = MessageKind.StartFailed, Error = new WorkerError { Kind = ErrorKind.Startup, Message = e.Message } });
    return 1;
}

link.Calls = new CallServer(channel, runtime).Handle;
channel.Write(new WorkerMessage { Kind = MessageKind.Ready, Text = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
link.WaitForEnd();

// The host closed the channel: it has stopped or gone. Python may be stuck in C code holding the GIL, so nothing
// that needs it runs: the process ends here.
StandardStreams.ExitNow(0);
return 0;
