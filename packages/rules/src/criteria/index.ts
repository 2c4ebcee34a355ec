/**
 * Criterion kinds, one file per family. Each compiler builds its lookups and every fixed sentence once;
 * checks over small domains (ages, CEFR ranks, CLB levels, nationalities) replay memoised sentences.
 */
import type { Criterion, RulePack } from '../schema.ts';
import { compileAge } from './age.ts';
import { compileCrsTransferability, compileEducation } from './canada.ts';
import {
  compileCertification,
  compileCertificationPoints,
  compileNationality,
  compileSkillsAssessment,
} from './certification.ts';
import type { KindCompiled } from './common.ts';
import { compileExperience } from './experience.ts';
import { compileAuEnglish, compileClb, compileJapanese, compileLanguage, compileTestScores } from './language.ts';
import { compileOccupation } from './occupation.ts';
import { compileJobOffer, compileSalary } from './offer.ts';
import { compileAuPartner, compileFixedPoints } from './points.ts';
import { compileQualification } from './qualification.ts';

export type { Check, KindCompiled, Out } from './common.ts';
export { copyOut, formatAmount, languageName, plural } from './common.ts';

/** Compile one criterion's kind-specific check; `suffix` (the caveat mark) ends every detail sentence. */
export function compileKind(c: Criterion, pack: RulePack, suffix: string): KindCompiled {
  switch (c.kind) {
    case 'age':
      return compileAge({ c, pack, suffix });
    case 'language':
      return compileLanguage({ c, pack, suffix });
    case 'auEnglish':
      return compileAuEnglish({ c, pack, suffix });
    case 'clb':
      return compileClb({ c, pack, suffix });
    case 'testScores':
      return compileTestScores({ c, pack, suffix });
    case 'japanese':
      return compileJapanese({ c, pack, suffix });
    case 'occupation':
      return compileOccupation({ c, pack, suffix });
    case 'qualification':
      return compileQualification({ c, pack, suffix });
    case 'experience':
      return compileExperience({ c, pack, suffix });
    case 'jobOffer':
      return compileJobOffer({ c, pack, suffix });
    case 'salary':
      return compileSalary({ c, pack, suffix });
    case 'certification':
      return compileCertification({ c, pack, suffix });
    case 'certificationPoints':
      return compileCertificationPoints({ c, pack, suffix });
    case 'skillsAssessment':
      return compileSkillsAssessment({ c, pack, suffix });
    case 'nationality':
      return compileNationality({ c, pack, suffix });
    case 'auPartner':
      return compileAuPartner({ c, pack, suffix });
    case 'education':
      return compileEducation({ c, pack, suffix });
    case 'crsTransferability':
      return compileCrsTransferability({ c, pack, suffix });
    case 'fixedPoints':
      return compileFixedPoints({ c, pack, suffix });
  }
}
