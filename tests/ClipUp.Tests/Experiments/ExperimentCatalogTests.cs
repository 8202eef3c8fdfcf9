using ClipUp.Experiments;
using ClipUp.Model;

namespace ClipUp.Tests.Experiments;

public class ExperimentCatalogTests
{
    [Fact]
    public void EveryVariantOfEveryExperimentIsAValidModelForBothProfiles()
    {
        foreach (var profile in ExperimentCatalog.Profiles.Values)
        {
            var clip = ClipConfig.FromPreset(profile.Preset);
            foreach (var e in ExperimentCatalog.All)
                foreach (var v in e.Variants)
                    v.Moe?.Validate(clip);
        }
        Assert.Equal(ExperimentCatalog.All.Count, ExperimentCatalog.All.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void AnUnknownExperimentNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ExperimentCatalog.Get("nope"));
        Assert.Contains("headline", e.Message);
    }
}
