import type { Random } from './random.ts';

/** The most common Chinese surnames, most frequent first (roughly the national ranking). */
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];

/** Given names as people actually carry them: whole two-character names plus single characters. */
const MALE_GIVEN = [
  ...['建国', '建华', '建军', '建平', '志强', '志刚', '志明', '志伟', '国强', '国庆', '海涛', '海波', '海峰', '俊杰', '文斌'],
  ...['晓东', '晓明', '立新', '永刚', '永强', '卫东', '红兵', '德明', '春生', '金龙', '振华', '宏伟', '伟东', '家豪', '浩然'],
  ...['宇航', '明轩', '文杰', '天宇', '鹏飞', '云飞', '少华', '新民', '长青', '学军', '庆华', '玉龙', '泽宇', '博文', '思远'],
  ...['一鸣', '嘉伟', '春雷', '光明', '正阳', '兴旺', '铁军', '亚军', '继红', '胜利', '保国', '洪亮', '子健', '俊峰', '晨阳'],
  ...['伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宇', '浩'],
  ...['凯', '健', '俊', '帆', '旭', '宁', '龙', '林', '阳', '峰', '亮', '成', '彬', '坤', '毅', '锋', '震', '军辉', '文龙', '志军'],
];
const FEMALE_GIVEN = [
  ...['秀英', '桂英', '丽华', '秀兰', '玉兰', '海燕', '丽娟', '晓燕', '春梅', '红梅', '美玲', '雪梅', '佳怡', '欣怡', '梦琪'],
  ...['雨涵', '思琪', '诗涵', '婷婷', '丹丹', '晓丽', '丽萍', '淑珍', '慧敏', '静怡', '文静', '晓雪', '玉梅', '凤英', '艳红'],
  ...['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '婷', '雪', '慧', '琳', '颖', '倩', '洁', '萍', '莉', '晶'],
];

export type DemoGender = 'male' | 'female';

/**
 * Weighted towards the frequent surnames (weight 1/(rank+4)), so a roster shows many 王, 李, 张 and a
 * few 覃 or 汤, the way a real one does.
 */
const surnameWeights = SURNAMES.map((_, i) => 1 / (i + 4));
const surnameTotal = surnameWeights.reduce((s, w) => s + w, 0);

function pickSurname(rng: Random): string {
  let r = rng.next() * surnameTotal;
  for (let i = 0; i < SURNAMES.length; i++) {
    r -= surnameWeights[i] ?? 0;
    if (r <= 0) return SURNAMES[i] ?? '王';
  }
  return SURNAMES[SURNAMES.length - 1] ?? '王';
}

/**
 * A name not yet in `taken` (real rosters have namesakes, but a demo where two 王伟 sit in one workshop only
 * confuses whoever is trying the search box).
 */
export function uniqueName(rng: Random, gender: DemoGender, taken: Set<string>): string {
  for (;;) {
    const name = pickSurname(rng) + rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** Prefixes of the three mainland carriers (China Mobile, Unicom, Telecom). */
const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '177', '199'];

/** A well-formed mainland mobile number (11 digits, 1[3-9]x), unique within `taken`. Fake: never dialled. */
export function uniqueMobile(rng: Random, taken: Set<string>): string {
  for (;;) {
    const phone = rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
    if (!taken.has(phone)) {
      taken.add(phone);
      return phone;
    }
  }
}

/** A YYYY-MM-DD date in [fromYear-01-01, toYear-12-28]; days stop at 28 so every month is valid. */
export function dateBetween(rng: Random, fromYear: number, toYear: number): string {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
