using System.Buffers.Binary;
using System.Numerics;
using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Isolation.Tests;

/// <summary>The channel's framing and the value encoding, without a worker.</summary>
public sealed class ChannelTests
{
    [Fact]
    public void Frame_RoundTripsEveryField()
    {
        using var pipe = new MemoryStream();
        var writer = new FrameChannel(Stream.Null, pipe);
        writer.Write(new WorkerMessage
        {
            Kind = MessageKind.Failed,
            CallId = 7,
            CallKind = CallKind.Invoke,
            Text = "mod",
            Function = "fn",
            Payload = [1, 2],
            ResultType = TransferTypes.Json,
            Error = new WorkerError { Kind = ErrorKind.Python, Message = "m", PythonType = "ValueError", PythonMessage = "bad", PythonTraceback = "tb", Details = ["d"] },
            Settings = new() { ["PythonRuntime:Backend"] = "Native" },
        });

        pipe.Position = 0;
        var message = new FrameChannel(pipe, Stream.Null).Read()!;
        Assert.Equal((MessageKind.Failed, 7L, CallKind.Invoke, "mod", "fn"), (message.Kind, message.CallId, message.CallKind, message.Text, message.Function));
        Assert.Equal([1, 2], message.Payload);
        Assert.Equal(("ValueError", "bad", "tb"), (message.Error!.PythonType, message.Error.PythonMessage, message.Error.PythonTraceback));
        Assert.Equal("Native", message.Settings!["PythonRuntime:Backend"]);
    }

    public static TheoryData<string, byte[]> BadFrames => new()
    {
        { "oversized", Header(int.MaxValue) },
        { "negative", Header(-5) },
        { "truncated", [.. Header(100), 0x91, 0x01] },
        { "not a message", [.. Header(3), 0xa2, 0x68, 0x69] },
        { "unknown kind", [.. Header(14), 0x9c, 0x63, 0, 0, 0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0xc0, 0xc0, 0xc0, 0] },
        { "header cut", [1, 0] },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void MalformedFrame_IsAProtocolViolation(string name, byte[] bytes)
    {
        var channel = new FrameChannel(new MemoryStream(bytes), Stream.Null);
        var e = Assert.Throws<ChannelProtocolException>(channel.Read);
        Assert.False(string.IsNullOrEmpty(e.Message), name);
    }

    [Fact]
    public void EndBetweenFrames_IsTheEndOfTheChannel()
        => Assert.Null(new FrameChannel(new MemoryStream(), Stream.Null).Read());

    [Fact]
    public void Values_KeepTheirDotNetTypes()
    {
        object?[] values =
        [
            null, true, "s", 'c', new byte[] { 9 }, 42, long.MinValue, ulong.MaxValue, 1.25, 2.5f, BigInteger.Pow(10, 30), 1.10m,
            Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc),
            new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)), new DateOnly(2024, 2, 29), new TimeOnly(23, 59), TimeSpan.FromMilliseconds(1.5),
            new List<int> { 1, 2 }, new Dictionary<int, string> { [1] = "one" }, new HashSet<string> { "x" },
        ];
        var decoded = PlainValueCodec.DecodeList(PlainValueCodec.EncodeList(values));
        Assert.Null(decoded[0]);
        Assert.Equal(true, decoded[1]);
        Assert.Equal("s", decoded[2]);
        Assert.Equal("c", decoded[3]);
        Assert.Equal(new byte[] { 9 }, decoded[4]);
        Assert.Equal(42L, decoded[5]);
        Assert.Equal(long.MinValue, decoded[6]);
        Assert.Equal(ulong.MaxValue, decoded[7]);
        Assert.Equal(1.25, decoded[8]);
        Assert.Equal(2.5, decoded[9]);
        Assert.Equal(BigInteger.Pow(10, 30), decoded[10]);
        Assert.Equal("1.10", ((decimal)decoded[11]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(values[12], decoded[12]);
        Assert.Equal(DateTimeKind.Utc, Assert.IsType<DateTime>(decoded[13]).Kind);
        Assert.Equal(values[14], decoded[14]);
        Assert.Equal(values[15], decoded[15]);
        Assert.Equal(values[16], decoded[16]);
        Assert.Equal(values[17], decoded[17]);
        Assert.Equal(new List<object?> { 1L, 2L }, decoded[18]);
        Assert.Equal("one", Assert.IsType<Dictionary<object, object?>>(decoded[19])[1L]);
        Assert.Equal("x", Assert.Single(Assert.IsType<HashSet<object?>>(decoded[20])));
    }

    [Fact]
    public void Records_CrossAsTheirSnakeCaseMembers()
    {
        var decoded = PlainValueCodec.DecodeList(PlainValueCodec.EncodeList([new Point(1, 2, "p")]));
        Assert.Equal(new Dictionary<string, object?> { ["x"] = 1L, ["y"] = 2L, ["label"] = "p" }, decoded[0]);
    }

    [Fact]
    public void NestedValuesBeyondTheDepthLimit_AreRefused()
    {
        object value = 1;
        for (var i = 0; i < 100; i++)
        {
            value = new List<object> { value };
        }

        Assert.Throws<ArgumentException>(() => PlainValueCodec.EncodeList([value]));
    }

    private static byte[] Header(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        return header;
    }
}
