using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace KernelGen.Bench
{
    /// <summary>
    /// Makes TorchSharp 0.107.0's native glue load on Debian 12. Its <c>libLibTorchSharp.so</c> lists a need for
    /// GLIBCXX_3.4.32 (libstdc++ of GCC 13), while Debian 12 ships 3.4.30. The only symbol tagged with that version is
    /// a dummy <c>std::ios_base</c> initialiser the library never binds, so the need is marked weak (VER_FLG_WEAK): the
    /// loader then accepts the library and the missing version costs nothing. Only the copy in this program's own
    /// output folder is changed, never the NuGet cache; the change is idempotent.
    /// </summary>
    public static class LibTorchLoader
    {
        private const string MissingVersion = "GLIBCXX_3.4.32";
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Patches every libLibTorchSharp.so below the application folder; returns how many needs were weakened.</summary>
        public static int Prepare()
        {
            int weakened = 0;
            foreach (string path in Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                weakened += WeakenVersionNeed(path, MissingVersion);
            }

            return weakened;
        }

        /// <summary>Sets VER_FLG_WEAK on the version need named <paramref name="version"/> in an ELF64 little-endian file.</summary>
        public static int WeakenVersionNeed(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException($"{path} is not a little-endian ELF64 file.");
            }

            ulong sectionTable = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
            int sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3a));
            int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3c));
            int changed = 0;
            for (int s = 0; s < sectionCount; s++)
            {
                Span<byte> header = elf.AsSpan(checked((int)sectionTable + s * sectionSize), sectionSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed)
                {
                    continue;
                }

                int offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]));
                int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
                Span<byte> strings = elf.AsSpan(checked((int)sectionTable + link * sectionSize), sectionSize);
                int stringTable = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(strings[0x18..]));

                // Elf64_Verneed { vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 } and
                // Elf64_Vernaux { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 }.
                int need = offset;
                while (true)
                {
                    int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(need + 2));
                    int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 8));
                    for (int a = 0; a < count; a++)
                    {
                        int name = stringTable + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 8));
                        int end = Array.IndexOf(elf, (byte)0, name);
                        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(aux + 4));
                        if (Encoding.ASCII.GetString(elf, name, end - name) == version && (flags & VerFlagWeak) == 0)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(aux + 4), (ushort)(flags | VerFlagWeak));
                            changed++;
                        }

                        aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 12));
                    }

                    uint next = BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 12));
                    if (next == 0)
                    {
                        break;
                    }

                    need += (int)next;
                }
            }

            if (changed > 0)
            {
                // Write a new file and move it over the old one, so a hard link to the package cache is never modified.
                string temporary = path + ".patching";
                File.WriteAllBytes(temporary, elf);
                File.Move(temporary, path, overwrite: true);
            }

            return changed;
        }
    }
}
