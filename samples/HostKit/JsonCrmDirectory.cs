using System.Text.Json;
using Plugin.ImapMail.Contracts.Crm;

namespace DevHost.Hosting;

/// <summary>The host's CRM, read from a JSON file: customers with e-mail addresses, domains and contacts.</summary>
internal sealed class JsonCrmDirectory : ICrmDirectory
{
    private static readonly JsonSerializerOptions ReadOptions = new() { PropertyNameCaseInsensitive = true };
    private readonly IReadOnlyList<CrmCustomer> customers;

    public JsonCrmDirectory(string? path)
    {
        if (path is null)
        {
            customers = [];
            return;
        }

        using var stream = InputFile.Open("--crm", path);
        try
        {
            customers = JsonSerializer.Deserialize<CrmFile>(stream, ReadOptions)?.Customers ?? [];
        }
        catch (JsonException ex)
        {
            throw new HostException($"--crm {path}: not a CRM file ({ex.Message}).", ExitCode.Invalid);
        }
    }

    /// <summary>How many lookups were made, for the reference host's statistics.</summary>
    public int Lookups { get; private set; }

    public Task<CrmLookupResult> LookupAsync(CrmLookupRequest request, CancellationToken cancellationToken = default)
    {
        Lookups++;
        var addresses = new HashSet<string>(request.Addresses, StringComparer.OrdinalIgnoreCase);
        var domains = new HashSet<string>(request.Domains, StringComparer.OrdinalIgnoreCase);
        var byAddress = new List<CrmAddressMatch>();
        var byDomain = new List<CrmDomainMatch>();
        foreach (var customer in customers)
        {
            foreach (var email in customer.Emails.Where(addresses.Contains))
            {
                byAddress.Add(new CrmAddressMatch(email.ToLowerInvariant(), customer.Id, customer.Name, null, null));
            }

            foreach (var contact in customer.Contacts.Where(c => c.Email is not null && addresses.Contains(c.Email)))
            {
                byAddress.Add(new CrmAddressMatch(contact.Email!.ToLowerInvariant(), customer.Id, customer.Name, contact.Id, contact.Name));
            }

            foreach (var domain in customer.Domains.Where(domains.Contains))
            {
                byDomain.Add(new CrmDomainMatch(domain.ToLowerInvariant(), customer.Id, customer.Name));
            }
        }

        return Task.FromResult(new CrmLookupResult(byAddress, byDomain));
    }

    private sealed record CrmFile(IReadOnlyList<CrmCustomer> Customers);

    private sealed record CrmCustomer(string Id, string Name, IReadOnlyList<string> Emails, IReadOnlyList<string> Domains, IReadOnlyList<CrmContact> Contacts)
    {
        public IReadOnlyList<string> Emails { get; init; } = Emails ?? [];
        public IReadOnlyList<string> Domains { get; init; } = Domains ?? [];
        public IReadOnlyList<CrmContact> Contacts { get; init; } = Contacts ?? [];
    }

    private sealed record CrmContact(string Id, string Name, string? Email);
}
