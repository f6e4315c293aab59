using NetLab.Core.Links;

namespace NetLab.Core.Tests.Links;

public sealed class MacAddressTests
{
    [Theory]
    [InlineData("02:00:00:00:00:01", "02:00:00:00:00:01")]
    [InlineData("2:0:0:0:0:1", "02:00:00:00:00:01")]
    [InlineData("36:57:39:7D:74:41", "36:57:39:7d:74:41")]
    public void Parses_and_prints_in_canonical_form(string text, string canonical)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal(canonical, mac.ToString());
        Assert.Equal(mac, MacAddress.FromBytes(mac.ToBytes()));
    }

    [Theory]
    [InlineData("02:00:00:00:00")]
    [InlineData("02:00:00:00:00:01:02")]
    [InlineData("02:00:00:00:00:zz")]
    [InlineData("020:00:00:00:00:01")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_what_is_not_six_hex_pairs(string? text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Parse_error_says_how_to_write_one()
    {
        var error = Assert.Throws<FormatException>(() => MacAddress.Parse("nope"));

        Assert.Contains("six hex pairs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Knows_multicast_and_zero()
    {
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.False(MacAddress.Parse("02:00:00:00:00:01").IsMulticast);
        Assert.True(MacAddress.Parse("00:00:00:00:00:00").IsZero);
    }
}
