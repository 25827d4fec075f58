using NetArchTest.Rules;

namespace Plugin.ImapMail.Tests.Architecture;

/// <summary>
/// The one-way rule (docs/ARCHITECTURE.md): the core, Storage and Connection depend on no feature; a feature depends on
/// the core, Storage, Connection, the contracts and the extension points, never on another feature. There is no
/// exception list: a new cross-feature reference fails here, naming the types.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class OneWayRuleTests
{
    private const string Root = "Plugin.ImapMail.";

    public static readonly string[] Features = ["Accounts", "Folders", "Messages", "Crm", "Sync", "Sending", "Service"];

    public static TheoryData<string> EveryFeature() => [.. Features];

    public static TheoryData<string> EveryShared() => ["Core", "Storage", "Connection", "Resources"];

    [Theory]
    [MemberData(nameof(EveryFeature))]
    public void AFeature_UsesNoOtherFeature(string feature)
    {
        var others = Features.Where(f => f != feature).Select(f => Root + f).ToArray();
        AssertNone(Types.InAssembly(typeof(ImapMailModule).Assembly).That().ResideInNamespace(Root + feature), others, feature);
    }

    [Theory]
    [MemberData(nameof(EveryShared))]
    public void TheSharedParts_UseNoFeature(string shared)
    {
        AssertNone(Types.InAssembly(typeof(ImapMailModule).Assembly).That().ResideInNamespace(Root + shared), Features.Select(f => Root + f).ToArray(), shared);
    }

    [Fact]
    public void TheCore_UsesNeitherStorageNorConnection()
    {
        AssertNone(Types.InAssembly(typeof(ImapMailModule).Assembly).That().ResideInNamespace(Root + "Core"), [Root + "Storage", Root + "Connection"], "Core");
    }

    [Fact]
    public void TheRule_SeesAReferenceWhereThereIsOne()
    {
        // The composition root names every feature: the same check on it must fail, or the rule above proves nothing.
        var result = Types.InAssembly(typeof(ImapMailModule).Assembly).That().HaveName(nameof(ImapMailModule))
            .ShouldNot().HaveDependencyOnAny(Features.Select(f => Root + f).ToArray()).GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void EveryFeatureFolder_IsANamespaceWithTypes()
    {
        foreach (var feature in Features)
        {
            Assert.NotEmpty(Types.InAssembly(typeof(ImapMailModule).Assembly).That().ResideInNamespace(Root + feature).GetTypes());
        }
    }

    private static void AssertNone(PredicateList types, string[] forbidden, string part)
    {
        var result = types.ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        var offenders = result.FailingTypes?.Select(t => t.FullName).Order(StringComparer.Ordinal).ToList() ?? [];
        Assert.True(result.IsSuccessful, $"{part} uses another feature in: {string.Join(", ", offenders)}");
    }
}
