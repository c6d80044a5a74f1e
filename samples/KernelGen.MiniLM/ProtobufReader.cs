using System;
using System.Buffers.Binary;
using System.Text;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// Reads the protobuf wire format (the encoding ONNX files use) one field at a time: a key (field number and wire type)
    /// followed by a varint, a fixed 32/64-bit value or a length-delimited payload. Only what an ONNX model needs.
    /// </summary>
    internal ref struct ProtobufReader
    {
        /// <summary>Wire type 0: a base-128 varint.</summary>
        public const int Varint = 0;

        /// <summary>Wire type 1: 8 little-endian bytes.</summary>
        public const int Fixed64 = 1;

        /// <summary>Wire type 2: a varint length, then that many bytes (strings, sub-messages, packed arrays).</summary>
        public const int LengthDelimited = 2;

        /// <summary>Wire type 5: 4 little-endian bytes.</summary>
        public const int Fixed32 = 5;

        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public ProtobufReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
        }

        public readonly bool AtEnd => _position >= _data.Length;

        /// <summary>Reads the next field's key; returns false at the end of the message.</summary>
        public bool TryReadKey(out int fieldNumber, out int wireType)
        {
            if (AtEnd)
            {
                fieldNumber = 0;
                wireType = 0;
                return false;
            }

            ulong key = ReadVarint();
            fieldNumber = (int)(key >> 3);
            wireType = (int)(key & 7);
            return true;
        }

        /// <summary>Reads a base-128 varint: 7 bits a byte, least significant group first, high bit set on all but the last.</summary>
        public ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte next = _data[_position++];
                result |= (ulong)(next & 0x7F) << shift;
                if (next < 0x80)
                {
                    return result;
                }
            }

            throw new InvalidOperationException("Malformed protobuf varint (more than 10 bytes).");
        }

        public long ReadInt64() => (long)ReadVarint();

        public float ReadFixedFloat()
        {
            float value = BinaryPrimitives.ReadSingleLittleEndian(_data.Slice(_position, 4));
            _position += 4;
            return value;
        }

        /// <summary>The payload of a length-delimited field, as a slice of the input (nothing is copied).</summary>
        public ReadOnlySpan<byte> ReadBytes()
        {
            int length = checked((int)ReadVarint());
            ReadOnlySpan<byte> bytes = _data.Slice(_position, length);
            _position += length;
            return bytes;
        }

        /// <summary>The offset in the input of the next length-delimited payload, and its length; the reader moves past it.</summary>
        public (int Offset, int Length) ReadBytesRange()
        {
            int length = checked((int)ReadVarint());
            int offset = _position;
            _position += length;
            return (offset, length);
        }

        public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

        /// <summary>Skips a field's value of the given wire type.</summary>
        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case Varint:
                    ReadVarint();
                    break;
                case Fixed64:
                    _position += 8;
                    break;
                case LengthDelimited:
                    ReadBytes();
                    break;
                case Fixed32:
                    _position += 4;
                    break;
                default:
                    throw new InvalidOperationException($"Unsupported protobuf wire type {wireType}.");
            }
        }
    }
}
