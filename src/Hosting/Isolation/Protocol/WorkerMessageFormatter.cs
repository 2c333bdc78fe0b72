using System.Buffers;
using MessagePack;

namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>
/// Writes and reads <see cref="WorkerMessage"/> with MessagePack's primitives, by hand: a fixed array of fields,
/// no reflection, no type information on the wire, and every field checked when read, so that a frame from a
/// worker can only be a well-formed message or a <see cref="MessagePackSerializationException"/>.
/// </summary>
internal static class WorkerMessageFormatter
{
    private const int MessageFields = 12;
    private const int ErrorFields = 6;
    private const int MaxSettings = 100_000;

    public static void Write(ref MessagePackWriter writer, WorkerMessage message)
    {
        writer.WriteArrayHeader(MessageFields);
        writer.Write((int)message.Kind);
        writer.Write(message.CallId);
        writer.Write((int)message.CallKind);
        writer.Write(message.Text);
        writer.Write(message.Function);
        WriteBytes(ref writer, message.Payload);
        WriteBytes(ref writer, message.KeywordPayload);
        writer.Write(message.ResultType);
        writer.Write(message.Stream);
        if (message.Error is { } error)
        {
            writer.WriteArrayHeader(ErrorFields);
            writer.Write((int)error.Kind);
            writer.Write(error.Message);
            writer.Write(error.PythonType);
            writer.Write(error.PythonMessage);
            writer.Write(error.PythonTraceback);
            if (error.Details is { } details)
            {
                writer.WriteArrayHeader(details.Count);
                foreach (var detail in details)
                {
                    writer.Write(detail);
                }
            }
            else
            {
                writer.WriteNil();
            }
        }
        else
        {
            writer.WriteNil();
        }

        if (message.Settings is { } settings)
        {
            writer.WriteMapHeader(settings.Count);
            foreach (var (key, value) in settings)
            {
                writer.Write(key);
                writer.Write(value);
            }
        }
        else
        {
            writer.WriteNil();
        }

        writer.Write(message.Code);
    }

    public static WorkerMessage Read(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != MessageFields)
        {
            throw new MessagePackSerializationException("A message does not have the expected fields.");
        }

        var message = new WorkerMessage
        {
            Kind = ReadEnum<MessageKind>(ref reader),
            CallId = reader.ReadInt64(),
            CallKind = (CallKind)reader.ReadInt32(),
            Text = reader.ReadString(),
            Function = reader.ReadString(),
            Payload = ReadBytes(ref reader),
            KeywordPayload = ReadBytes(ref reader),
            ResultType = reader.ReadInt32(),
            Stream = reader.ReadInt32(),
        };
        if (!reader.TryReadNil())
        {
            if (reader.ReadArrayHeader() != ErrorFields)
            {
                throw new MessagePackSerializationException("An error does not have the expected fields.");
            }

            var error = new WorkerError
            {
                Kind = ReadEnum<ErrorKind>(ref reader),
                Message = reader.ReadString() ?? string.Empty,
                PythonType = reader.ReadString(),
                PythonMessage = reader.ReadString(),
                PythonTraceback = reader.ReadString(),
            };
            if (!reader.TryReadNil())
            {
                var count = reader.ReadArrayHeader();
                error.Details = new List<string>(Math.Min(count, 1024));
                for (var i = 0; i < count; i++)
                {
                    error.Details.Add(reader.ReadString() ?? string.Empty);
                }
            }

            message.Error = error;
        }

        if (!reader.TryReadNil())
        {
            var count = reader.ReadMapHeader();
            if (count > MaxSettings)
            {
                throw new MessagePackSerializationException("Too many settings.");
            }

            var settings = new Dictionary<string, string?>(count, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString() ?? throw new MessagePackSerializationException("A setting's key is nil.");
                settings[key] = reader.ReadString();
            }

            message.Settings = settings;
        }

        message.Code = reader.ReadInt32();
        if (!reader.End)
        {
            throw new MessagePackSerializationException("Trailing bytes after a message.");
        }

        return message;
    }

    private static void WriteBytes(ref MessagePackWriter writer, byte[]? bytes)
    {
        if (bytes is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(bytes);
        }
    }

    private static byte[]? ReadBytes(ref MessagePackReader reader)
        => reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();

    private static TEnum ReadEnum<TEnum>(ref MessagePackReader reader)
        where TEnum : struct, Enum
    {
        var value = reader.ReadInt32();
        var e = (TEnum)(object)value;
        return Enum.IsDefined(e) ? e : throw new MessagePackSerializationException($"{value} is not a {typeof(TEnum).Name}.");
    }
}
