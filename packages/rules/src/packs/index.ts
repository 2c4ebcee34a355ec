// The shipped rule packs, imported statically so that evaluation needs no file I/O.
// Add a pack: put packs/<pathway-id>/<version>.json beside the others and import it here.
import p_au_186_trt_2024_12_07 from '../../packs/au-186-trt/2024-12-07.json' with { type: 'json' };
import p_au_189_2019_11_16 from '../../packs/au-189/2019-11-16.json' with { type: 'json' };
import p_au_190_2019_11_16 from '../../packs/au-190/2019-11-16.json' with { type: 'json' };
import p_au_482_core_2024_12_07 from '../../packs/au-482-core/2024-12-07.json' with { type: 'json' };
import p_au_482_specialist_2024_12_07 from '../../packs/au-482-specialist/2024-12-07.json' with { type: 'json' };
import p_au_491_2019_11_16 from '../../packs/au-491/2019-11-16.json' with { type: 'json' };
import p_ca_crs_2025_03_25 from '../../packs/ca-crs/2025-03-25.json' with { type: 'json' };
import p_ca_fsw_2015_01_01 from '../../packs/ca-fsw/2015-01-01.json' with { type: 'json' };
import p_de_blue_card_2023_01_01 from '../../packs/de-blue-card/2023-01-01.json' with { type: 'json' };
import p_de_blue_card_2023_11_18 from '../../packs/de-blue-card/2023-11-18.json' with { type: 'json' };
import p_de_experience_2024_03_01 from '../../packs/de-experience/2024-03-01.json' with { type: 'json' };
import p_de_nurse_licence_2020_01_01 from '../../packs/de-nurse-licence/2020-01-01.json' with { type: 'json' };
import p_de_opportunity_card_2024_06_01 from '../../packs/de-opportunity-card/2024-06-01.json' with { type: 'json' };
import p_de_recognition_measures_2024_03_01 from '../../packs/de-recognition-measures/2024-03-01.json' with {
  type: 'json',
};
import p_de_recognition_partnership_2024_03_01 from '../../packs/de-recognition-partnership/2024-03-01.json' with {
  type: 'json',
};
import p_de_skilled_worker_2023_11_18 from '../../packs/de-skilled-worker/2023-11-18.json' with { type: 'json' };
import p_fi_employed_person_2024_01_01 from '../../packs/fi-employed-person/2024-01-01.json' with { type: 'json' };
import p_fi_employed_person_2025_01_01 from '../../packs/fi-employed-person/2025-01-01.json' with { type: 'json' };
import p_fi_practical_nurse_2016_01_01 from '../../packs/fi-practical-nurse/2016-01-01.json' with { type: 'json' };
import p_jp_epa_care_worker_2008_08_01 from '../../packs/jp-epa-care-worker/2008-08-01.json' with { type: 'json' };
import p_jp_epa_nurse_2008_08_01 from '../../packs/jp-epa-nurse/2008-08-01.json' with { type: 'json' };
import p_jp_ssw_nursing_care_2019_04_01 from '../../packs/jp-ssw-nursing-care/2019-04-01.json' with { type: 'json' };
import p_uk_skilled_worker_2024_04_04 from '../../packs/uk-skilled-worker/2024-04-04.json' with { type: 'json' };
import p_uk_skilled_worker_2025_07_22 from '../../packs/uk-skilled-worker/2025-07-22.json' with { type: 'json' };
import p_uk_skilled_worker_2026_01_08 from '../../packs/uk-skilled-worker/2026-01-08.json' with { type: 'json' };

/** Raw pack JSON, validated by `shippedPacks()`. */
export const SHIPPED_PACK_JSON: readonly unknown[] = [
  p_au_186_trt_2024_12_07,
  p_au_189_2019_11_16,
  p_au_190_2019_11_16,
  p_au_482_core_2024_12_07,
  p_au_482_specialist_2024_12_07,
  p_au_491_2019_11_16,
  p_ca_crs_2025_03_25,
  p_ca_fsw_2015_01_01,
  p_de_blue_card_2023_01_01,
  p_de_blue_card_2023_11_18,
  p_de_experience_2024_03_01,
  p_de_nurse_licence_2020_01_01,
  p_de_opportunity_card_2024_06_01,
  p_de_recognition_measures_2024_03_01,
  p_de_recognition_partnership_2024_03_01,
  p_de_skilled_worker_2023_11_18,
  p_fi_employed_person_2024_01_01,
  p_fi_employed_person_2025_01_01,
  p_fi_practical_nurse_2016_01_01,
  p_jp_epa_care_worker_2008_08_01,
  p_jp_epa_nurse_2008_08_01,
  p_jp_ssw_nursing_care_2019_04_01,
  p_uk_skilled_worker_2024_04_04,
  p_uk_skilled_worker_2025_07_22,
  p_uk_skilled_worker_2026_01_08,
];
