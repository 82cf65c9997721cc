import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { invalidProp } from '../private/errors';

export interface RegistryScanningProps {
  /**
   * Repository name filters (wildcards allowed) whose images are scanned continuously.
   * @default ['*'] - every repository of the registry
   */
  readonly repositoryFilters?: string[];
}

const FILTER = /^[a-z0-9*][a-z0-9._/*-]{0,255}$/;

/**
 * Opt-in enhanced scanning (P14): switches the account's private registry in this region to Amazon Inspector
 * scanning, on push and continuously as new CVEs are published. This is an ACCOUNT- AND REGION-WIDE SINGLETON
 * (`AWS::ECR::RegistryScanningConfiguration`): create it once, in one stack per account and region; a second
 * one in another stack overwrites the first, and it changes the scanning of repositories this app does not own.
 * Inspector charges per image scanned. Findings reach each `SecureRepository`'s findings topic.
 */
export class RegistryScanning extends Construct {
  public readonly resource: ecr.CfnRegistryScanningConfiguration;

  constructor(scope: Construct, id: string, props: RegistryScanningProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const others = stack.node.findAll().filter((c) => c !== this && c instanceof RegistryScanning);
    if (others.length > 0) {
      invalidProp(
        this,
        'RegistryScanning',
        others[0].node.path,
        'registry scanning is one setting per account and region; a second configuration would overwrite the first',
        'create RegistryScanning once and list every repository pattern in repositoryFilters',
      );
    }
    const filters = props.repositoryFilters ?? ['*'];
    if (filters.length === 0) {
      invalidProp(
        this,
        'repositoryFilters',
        filters,
        'an empty filter list scans nothing',
        "omit the prop to scan every repository, or give patterns such as 'payments/*'",
      );
    }
    for (const filter of filters) {
      if (!Token.isUnresolved(filter) && !FILTER.test(filter)) {
        invalidProp(
          this,
          'repositoryFilters',
          filter,
          'not a repository name pattern',
          "use lower-case repository names with '*' wildcards, e.g. 'payments/*'",
        );
      }
    }
    this.resource = new ecr.CfnRegistryScanningConfiguration(this, 'Resource', {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: filters.map((filter) => ({ filter, filterType: 'WILDCARD' })),
        },
      ],
    });
  }
}
